package dev.logtocore.capacitor.testapp

import com.getcapacitor.BridgeActivity

/** The app's main activity, as `npx cap add android` writes it. */
class MainActivity : BridgeActivity()
