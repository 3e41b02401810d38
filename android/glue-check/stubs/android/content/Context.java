package android.content;
public abstract class Context {
    public static final int MODE_PRIVATE = 0;
    public abstract Context getApplicationContext();
    public abstract android.content.pm.PackageManager getPackageManager();
    public abstract void startActivity(Intent intent);
    public abstract SharedPreferences getSharedPreferences(String name, int mode);
}
