package com.getcapacitor.annotation;

import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;

// Stub of Capacitor 8's com.getcapacitor.annotation.CapacitorPlugin (see ../Plugin.java).
@Retention(RetentionPolicy.RUNTIME)
public @interface CapacitorPlugin {
    String name() default "";
    int[] requestCodes() default {};
}
