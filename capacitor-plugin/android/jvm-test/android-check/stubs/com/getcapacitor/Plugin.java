package com.getcapacitor;

import android.content.Context;
import android.content.Intent;
import androidx.appcompat.app.AppCompatActivity;

// Stub of Capacitor 8's com.getcapacitor.Plugin: only what LogtoNativePlugin uses, with the signatures of
// @capacitor/android 8.5.2 (scripts/check-android-stubs.mjs compares them with node_modules/@capacitor/android).
public class Plugin {
    public Plugin() {}
    public void load() {}
    public Context getContext() { return null; }
    public AppCompatActivity getActivity() { return null; }
    protected void notifyListeners(String eventName, JSObject data) {}
    protected void handleOnNewIntent(Intent intent) {}
    protected void handleOnResume() {}
    protected void handleOnDestroy() {}
}
