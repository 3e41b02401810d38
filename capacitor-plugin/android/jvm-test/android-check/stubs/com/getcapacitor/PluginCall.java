package com.getcapacitor;

// Stub of Capacitor 8's com.getcapacitor.PluginCall (see Plugin.java).
public class PluginCall {
    public void resolve(JSObject data) {}
    public void resolve() {}
    public void reject(String msg, String code, Exception ex, JSObject data) {}
    public void reject(String msg, String code) {}
    public JSObject getData() { return null; }
}
