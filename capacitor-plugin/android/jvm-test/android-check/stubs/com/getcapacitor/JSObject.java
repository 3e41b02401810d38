package com.getcapacitor;

import org.json.JSONException;
import org.json.JSONObject;

// Stub of Capacitor 8's com.getcapacitor.JSObject (see Plugin.java).
public class JSObject extends JSONObject {
    public JSObject() {}
    public static JSObject fromJSONObject(JSONObject obj) throws JSONException { return null; }
    public JSObject put(String key, boolean value) { return this; }
    public JSObject put(String key, Object value) { return this; }
    public JSObject put(String key, String value) { return this; }
}
