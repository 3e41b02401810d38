package android.content.pm;
public abstract class PackageManager {}
