package com.getcapacitor;

import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;

// Stub of Capacitor 8's com.getcapacitor.PluginMethod (see Plugin.java).
@Retention(RetentionPolicy.RUNTIME)
public @interface PluginMethod {
    String RETURN_PROMISE = "promise";
    String returnType() default RETURN_PROMISE;
}
