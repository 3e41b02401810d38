// The Android library (AAR): the Kotlin layer of ../logto-kotlin (generated bindings, coroutine client, sign-in
// coordinator) compiled for Android, plus the Android glue (Custom Tabs, redirect activity, Keystore storage) and
// liblogto_uniffi.so for four ABIs built with cargo-ndk.
//
// Not run on the project's Linux machines (no Android SDK/NDK there): .github/workflows/android.yml builds it, lints
// it and runs the Robolectric tests of src/test on a runner with the SDK; pom.xml compiles and tests the same sources
// here against android-all (see README.md).
import com.android.build.api.variant.LibraryAndroidComponentsExtension
import org.jetbrains.kotlin.gradle.dsl.JvmTarget

plugins {
    id("com.android.library")
    id("org.jetbrains.kotlin.android")
    `maven-publish`
    signing
}

// This file's own location, not the including build's root: a Capacitor app includes this project from its own
// Gradle build, whose rootDir is the app's android/ directory.
val repoRoot: File = projectDir.resolve("../..").canonicalFile
val rustAbis = listOf("arm64-v8a", "armeabi-v7a", "x86_64", "x86")
val skipCargo = providers.gradleProperty("logto.skipCargo").map { it.toBoolean() }.getOrElse(false)
val logtoVersion = providers.gradleProperty("logto.version").getOrElse("0.1.0")

// The Kotlin layer's headless browser and dev IdP launcher (TestSupport.kt), shared with its own tests.
val testSupportDir: File = layout.buildDirectory.dir("generated/logto-test-support").get().asFile
val copyTestSupport by tasks.registering(Copy::class) {
    from("../logto-kotlin/src/test/kotlin") { include("dev/logtocore/TestSupport.kt") }
    into(testSupportDir)
}

android {
    namespace = "dev.logtocore.android"
    compileSdk = 36
    ndkVersion = providers.gradleProperty("logto.ndkVersion").getOrElse("27.2.12479018")

    defaultConfig {
        minSdk = 24
        consumerProguardFiles("consumer-rules.pro")
        // For the unit tests' merged manifest (the app sets its own scheme).
        manifestPlaceholders["logtoRedirectScheme"] = "com.example.app"
    }

    sourceSets["main"].apply {
        kotlin.srcDirs("src/main/kotlin", "../logto-kotlin/src/main/kotlin")
        // Prebuilt libraries (logto.skipCargo=true) come from src/main/jniLibs, the default location; otherwise
        // cargoNdk's output is registered below as a generated source of every variant.
    }
    sourceSets["test"].apply {
        kotlin.srcDirs("src/test/kotlin", testSupportDir) // + TestSupport.kt, copied by copyTestSupport
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    testOptions {
        unitTests {
            // Robolectric loads the merged manifest and resources (LogtoAuthActivity's theme, the <queries>).
            isIncludeAndroidResources = true
            all { test ->
                // The host-built Rust library and the dev IdP, as in pom.xml (the workflow passes both).
                test.systemProperty(
                    "uniffi.component.logto_uniffi.libraryOverride",
                    providers.gradleProperty("logto.hostLib").getOrElse(repoRoot.resolve("target/debug/liblogto_uniffi.so").path),
                )
                test.systemProperty("dev.idp.bin", repoRoot.resolve("tools/dev-idp/bin/dev-idp").path)
                test.dependsOn(copyTestSupport)
            }
        }
    }

    lint {
        abortOnError = true
        warningsAsErrors = false
    }

    publishing {
        singleVariant("release") {
            withSourcesJar()
            withJavadocJar()
        }
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

    testImplementation("junit:junit:4.13.2")
    testImplementation("org.robolectric:robolectric:4.17")
    // The desktop JNA (libjnidispatch for the host) for the tests that load the host-built Rust library.
    testImplementation("net.java.dev.jna:jna:5.17.0")
}

/** The version of rustls-platform-verifier-android in the workspace's Cargo.lock. */
fun rustlsPlatformVerifierAndroidVersion(): String {
    val lines = repoRoot.resolve("Cargo.lock").readLines()
    val at = lines.indexOfFirst { it.trim() == "name = \"rustls-platform-verifier-android\"" }
    require(at >= 0) { "rustls-platform-verifier-android not found in Cargo.lock" }
    return Regex("\"([^\"]+)\"").find(lines[at + 1])!!.groupValues[1]
}

// cargo ndk builds liblogto_uniffi.so (release profile: opt-level z, LTO, unwinding kept) for every ABI. The linker
// settings (16 KB segment alignment for Android 15+ devices with 16 KB pages, packed relocations, identical code
// folding) come from bindings/build.rs, so that every build of the library gets them. Its output directory is a
// generated jniLibs source of every variant, so Gradle runs it when (and only when) a variant packages native
// libraries, and tracks its inputs and output.
abstract class CargoNdkTask : Exec() {
    @get:OutputDirectory
    abstract val outputDirectory: DirectoryProperty
}

val cargoNdk = tasks.register<CargoNdkTask>("cargoNdk") {
    description = "Builds liblogto_uniffi.so for ${rustAbis.joinToString()} with cargo-ndk."
    workingDir = repoRoot
    outputDirectory.set(layout.buildDirectory.dir("rustJniLibs"))
    executable = "cargo"
    argumentProviders += CommandLineArgumentProvider {
        val args = mutableListOf("ndk", "--platform", "24", "-o", outputDirectory.get().asFile.path)
        rustAbis.forEach { args += listOf("-t", it) }
        args + listOf("build", "--release", "-p", "logto-uniffi")
    }
    inputs.dir(repoRoot.resolve("core/src"))
    inputs.dir(repoRoot.resolve("bindings/src"))
    inputs.file(repoRoot.resolve("Cargo.lock"))
}

if (!skipCargo) {
    extensions.getByType(LibraryAndroidComponentsExtension::class.java).onVariants { variant ->
        variant.sources.jniLibs?.addGeneratedSourceDirectory(cargoNdk, CargoNdkTask::outputDirectory)
    }
}

// Maven coordinates dev.logtocore:logto-android:<logto.version>, with the POM Maven Central requires. The
// dependencies above (JNA as an AAR, coroutines, androidx.browser) are in the POM. Repositories:
// - `npmPackage`: capacitor-plugin/android/maven, the Maven repository shipped inside the npm package (the plugin's
//   build.gradle resolves the AAR from there, so an app that installs the plugin from npm needs nothing else);
// - `centralBundle`: build/central-bundle, zipped and uploaded to the Central Portal by the release workflow.
// Signing (required by Central) uses the in-memory key of the SIGNING_KEY / SIGNING_PASSWORD environment variables,
// when present.
afterEvaluate {
    publishing {
        publications {
            create<MavenPublication>("release") {
                from(components["release"])
                groupId = "dev.logtocore"
                artifactId = "logto-android"
                version = logtoVersion
                pom {
                    name.set("Logto native for Android")
                    description.set("Logto sign-in for Android apps on a Rust core: Custom Tabs, Keystore storage, coroutines.")
                    url.set("https://github.com/logto-native/logto-native")
                    licenses {
                        license {
                            name.set("MIT")
                            url.set("https://opensource.org/licenses/MIT")
                        }
                    }
                    developers {
                        developer {
                            id.set("logto-native")
                            name.set("Logto native SDK contributors")
                        }
                    }
                    scm {
                        url.set("https://github.com/logto-native/logto-native")
                        connection.set("scm:git:https://github.com/logto-native/logto-native.git")
                    }
                }
            }
        }
        repositories {
            maven {
                name = "npmPackage"
                url = uri(repoRoot.resolve("capacitor-plugin/android/maven"))
            }
            maven {
                name = "centralBundle"
                url = uri(layout.buildDirectory.dir("central-bundle"))
            }
        }
    }
    signing {
        val key = System.getenv("SIGNING_KEY")
        if (!key.isNullOrBlank()) {
            useInMemoryPgpKeys(key, System.getenv("SIGNING_PASSWORD"))
            sign(publishing.publications["release"])
        }
    }
}
