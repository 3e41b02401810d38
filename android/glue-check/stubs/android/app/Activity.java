package android.app;
import android.content.Intent;
import android.os.Bundle;
public class Activity extends android.content.Context {
    public Intent getIntent() { return null; }
    public void setIntent(Intent newIntent) {}
    protected void onCreate(Bundle savedInstanceState) {}
    protected void onNewIntent(Intent intent) {}
    protected void onResume() {}
    protected void onSaveInstanceState(Bundle outState) {}
    public void finish() {}
    public boolean isFinishing() { return false; }
    @Override public android.content.Context getApplicationContext() { return this; }
    @Override public android.content.pm.PackageManager getPackageManager() { return null; }
    @Override public void startActivity(Intent intent) {}
    @Override public android.content.SharedPreferences getSharedPreferences(String name, int mode) { return null; }
}
