package android.content;
public class Intent {
    public static final String ACTION_VIEW = "android.intent.action.VIEW";
    public static final String CATEGORY_BROWSABLE = "android.intent.category.BROWSABLE";
    public static final int FLAG_ACTIVITY_NEW_TASK = 0x10000000;
    public static final int FLAG_ACTIVITY_CLEAR_TOP = 0x04000000;
    public static final int FLAG_ACTIVITY_SINGLE_TOP = 0x20000000;
    public Intent(Context packageContext, Class<?> cls) {}
    public Intent(String action, android.net.Uri uri) {}
    public Intent addCategory(String category) { return this; }
    public Intent addFlags(int flags) { return this; }
    public Intent setData(android.net.Uri data) { return this; }
    public android.net.Uri getData() { return null; }
    public String getDataString() { return null; }
    public ComponentName resolveActivity(android.content.pm.PackageManager pm) { return null; }
}
