package androidx.appcompat.app;

// Stub of androidx.appcompat's AppCompatActivity (Capacitor's Plugin.getActivity() returns one).
public class AppCompatActivity extends android.app.Activity {}
