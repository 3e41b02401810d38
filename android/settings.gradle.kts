// The Android library build. Not run on the project's Linux machines (no Android SDK/NDK there); see README.md.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
        // rustls-platform-verifier's Kotlin component (org.rustls.platformverifier, called by the Rust core over JNI
        // for the platform trust store) is published only here, by the rustls project. Apps that take the AAR
        // through Maven need this repository too (see README.md).
        maven("https://github.com/rustls/rustls-platform-verifier/raw/maven-archive/android-release-support/maven/") {
            content { includeGroup("rustls") }
        }
    }
}

rootProject.name = "logto-native-android"
include(":logto-android")
