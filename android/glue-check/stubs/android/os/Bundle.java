package android.os;
public final class Bundle {
    public boolean getBoolean(String key) { return false; }
    public void putBoolean(String key, boolean value) {}
}
