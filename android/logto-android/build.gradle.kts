// The Android library (AAR): the Kotlin layer of ../logto-kotlin (generated bindings, coroutine client, sign-in
// coordinator) compiled for Android, plus the Android glue (Custom Tabs, redirect activity, Keystore storage) and
// liblogto_uniffi.so for four ABIs built with cargo-ndk.
import org.jetbrains.kotlin.gradle.dsl.JvmTarget

plugins {
    id("com.android.library")
    id("org.jetbrains.kotlin.android")
    `maven-publish`
}

val repoRoot: File = rootDir.parentFile
val rustAbis = listOf("arm64-v8a", "armeabi-v7a", "x86_64", "x86")
val rustJniLibs = layout.buildDirectory.dir("rustJniLibs")
val skipCargo = providers.gradleProperty("logto.skipCargo").map { it.toBoolean() }.getOrElse(false)

android {
    namespace = "dev.logtocore.android"
    compileSdk = 36
    ndkVersion = providers.gradleProperty("logto.ndkVersion").getOrElse("27.2.12479018")

    defaultConfig {
        minSdk = 24
        consumerProguardFiles("consumer-rules.pro")
    }

    sourceSets["main"].apply {
        kotlin.srcDirs("src/main/kotlin", "../logto-kotlin/src/main/kotlin")
        jniLibs.srcDirs(if (skipCargo) "src/main/jniLibs" else rustJniLibs.get().asFile.path)
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    publishing {
        singleVariant("release") { withSourcesJar() }
    }
}

kotlin {
    compilerOptions { jvmTarget.set(JvmTarget.JVM_17) }
}

dependencies {
    // JNA as an AAR: it carries libjnidispatch.so for every Android ABI (the plain jar only has desktop ones).
    implementation("net.java.dev.jna:jna:5.17.0@aar")
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.10.2")
    implementation("androidx.browser:browser:1.8.0")
    // The Kotlin half of rustls-platform-verifier (see PlatformTls.kt). Its version must be the one of the crate
    // rustls-platform-verifier-android in Cargo.lock (the Rust half calls it by class and method name).
    implementation("rustls:rustls-platform-verifier:${rustlsPlatformVerifierAndroidVersion()}")
}

/** The version of rustls-platform-verifier-android in the workspace's Cargo.lock. */
fun rustlsPlatformVerifierAndroidVersion(): String {
    val lines = File(repoRoot, "Cargo.lock").readLines()
    val at = lines.indexOfFirst { it.trim() == "name = \"rustls-platform-verifier-android\"" }
    require(at >= 0) { "rustls-platform-verifier-android not found in Cargo.lock" }
    return Regex("\"([^\"]+)\"").find(lines[at + 1])!!.groupValues[1]
}

// cargo ndk builds liblogto_uniffi.so (release profile: opt-level z, LTO, unwinding kept) for every ABI. The linker
// settings (16 KB segment alignment for Android 15+ devices with 16 KB pages, packed relocations, identical code
// folding) come from bindings/build.rs, so that every build of the library gets them.
val cargoNdk by tasks.registering(Exec::class) {
    description = "Builds liblogto_uniffi.so for ${rustAbis.joinToString()} with cargo-ndk."
    workingDir = repoRoot
    val args = mutableListOf("cargo", "ndk", "--platform", "24", "-o", rustJniLibs.get().asFile.path)
    rustAbis.forEach { args += listOf("-t", it) }
    args += listOf("build", "--release", "-p", "logto-uniffi")
    commandLine(args)
    inputs.dir(File(repoRoot, "core/src"))
    inputs.dir(File(repoRoot, "bindings/src"))
    inputs.file(File(repoRoot, "Cargo.lock"))
    outputs.dir(rustJniLibs)
}

if (!skipCargo) {
    tasks.named("preBuild") { dependsOn(cargoNdk) }
}

// Maven coordinates dev.logtocore:logto-android:<logto.version> (the Capacitor plugin's release dependency):
// `gradle -p android :logto-android:publishToMavenLocal`, or `publish` with a repository added by the release job.
// The POM carries the dependencies above (JNA as an AAR, coroutines, androidx.browser).
afterEvaluate {
    publishing {
        publications {
            create<MavenPublication>("release") {
                from(components["release"])
                groupId = "dev.logtocore"
                artifactId = "logto-android"
                version = providers.gradleProperty("logto.version").getOrElse("0.1.0")
            }
        }
    }
}
