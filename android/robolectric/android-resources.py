#!/usr/bin/env python3
"""The resource half of an Android build, for Maven builds on machines without the Android SDK.

The Android Gradle plugin merges the manifests of an app and its libraries, compiles every resource directory with
aapt2, links them into a resource APK with one R class per package, and, for unit tests with
`includeAndroidResources`, writes com/android/tools/test_config.properties so that Robolectric loads that APK. This
script does the same with the same tools (aapt2 and the manifest merger, both from Maven Central), in two steps:

  platform  once, for android/robolectric/platform: takes apart the androidx AARs (classes.jar merged into the
            platform jar, manifests kept, res/ compiled with `aapt2 compile`) and unpacks aapt2.
  link      per test suite: merges the suite's app manifest with the libraries' (placeholders filled in), compiles
            the suite's own resource directories, links everything against android-all (API 36), generates the R
            classes of the app and of every library package, and writes test_config.properties.

Only the Python standard library is used.
"""
import argparse
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile

ANDROID_NS = "http://schemas.android.com/apk/res/android"


def run(cmd):
    result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout)
        sys.exit(f"android-resources: failed ({result.returncode}): {os.path.basename(cmd[0])} {cmd[1]} ...")
    return result.stdout


def manifest_package(xml_text):
    match = re.search(r'<manifest\b[^>]*\bpackage="([^"]+)"', xml_text)
    return match.group(1) if match else None


def extract_jar_classes(jar_bytes_path, classes_dir):
    """Merges the classes (and Kotlin module files) of a jar into classes_dir."""
    with zipfile.ZipFile(jar_bytes_path) as jar:
        for entry in jar.infolist():
            if entry.is_dir() or entry.filename.upper() == "META-INF/MANIFEST.MF":
                continue
            if entry.filename.startswith("META-INF/") and entry.filename.endswith((".SF", ".RSA", ".DSA")):
                continue
            jar.extract(entry, classes_dir)


def platform(args):
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    aapt2 = os.path.join(out, "aapt2")
    with zipfile.ZipFile(os.path.join(out, "aapt2.jar")) as jar:
        with open(aapt2, "wb") as f:
            f.write(jar.read("aapt2"))
    os.chmod(aapt2, os.stat(aapt2).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)

    for sub in ("res", "flat", "manifests", "jars"):
        shutil.rmtree(os.path.join(out, sub), ignore_errors=True)
        os.makedirs(os.path.join(out, sub))
    libraries = []
    for name in sorted(os.listdir(args.aars)):
        if not name.endswith(".aar"):
            continue
        base = name[: -len(".aar")]
        with zipfile.ZipFile(os.path.join(args.aars, name)) as aar:
            manifest = aar.read("AndroidManifest.xml").decode("utf-8")
            package = manifest_package(manifest)
            if package is None:
                sys.exit(f"android-resources: {name} has no package in its manifest")
            with open(os.path.join(out, "manifests", base + ".xml"), "w", encoding="utf-8") as f:
                f.write(manifest)
            jars = [e for e in aar.namelist() if e == "classes.jar" or (e.startswith("libs/") and e.endswith(".jar"))]
            for index, entry in enumerate(jars):
                target = os.path.join(out, "jars", f"{base}-{index}.jar")
                with open(target, "wb") as f:
                    f.write(aar.read(entry))
                extract_jar_classes(target, args.classes)
            res_entries = [e for e in aar.infolist() if e.filename.startswith("res/") and not e.is_dir()]
            flat = None
            if res_entries:
                res_dir = os.path.join(out, "res", base)
                for entry in res_entries:
                    aar.extract(entry, res_dir)
                flat = os.path.join(out, "flat", base + ".zip")
                run([aapt2, "compile", "--dir", os.path.join(res_dir, "res"), "-o", flat])
        libraries.append({"name": base, "package": package, "flat": flat})
    with open(os.path.join(out, "libraries.json"), "w", encoding="utf-8") as f:
        json.dump(libraries, f, indent=1)
    print(f"android-resources: {len(libraries)} AARs unpacked, "
          f"{sum(1 for lib in libraries if lib['flat'])} resource sets compiled")


def with_package(manifest_path, namespace, target):
    """A library manifest as AGP hands it to the merger: the namespace becomes the package attribute."""
    with open(manifest_path, encoding="utf-8") as f:
        text = f.read()
    if manifest_package(text) is None:
        text = re.sub(r"<manifest\b", f'<manifest package="{namespace}"', text, count=1)
    with open(target, "w", encoding="utf-8") as f:
        f.write(text)
    return target


def link(args):
    platform_dir = os.path.abspath(args.platform)
    out = os.path.abspath(args.out)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    aapt2 = os.path.join(platform_dir, "aapt2")
    with open(os.path.join(platform_dir, "libraries.json"), encoding="utf-8") as f:
        libraries = json.load(f)

    # 1. Manifests: the app's, then the source libraries' (namespace as package), then the AARs'.
    lib_manifests = []
    extra_packages = []
    for index, spec in enumerate(args.lib_manifest):
        namespace, path = spec.split("=", 1)
        lib_manifests.append(with_package(path, namespace, os.path.join(out, f"lib-{index}-AndroidManifest.xml")))
        extra_packages.append(namespace)
    for lib in libraries:
        lib_manifests.append(os.path.join(platform_dir, "manifests", lib["name"] + ".xml"))
        extra_packages.append(lib["package"])
    with open(os.path.join(platform_dir, "manifest-merger.classpath"), encoding="utf-8") as f:
        merger_classpath = f.read().strip()
    merged = os.path.join(out, "AndroidManifest.xml")
    cmd = [args.java, "-cp", merger_classpath, "com.android.manifmerger.Merger",
           "--main", args.main_manifest, "--libs", os.pathsep.join(lib_manifests), "--out", merged,
           "--remove-tools-declarations",
           # The SDK levels of the build, which AGP hands to the merger from build.gradle.
           "--property", f"MIN_SDK_VERSION={args.min_sdk}", "--property", f"TARGET_SDK_VERSION={args.target_sdk}"]
    for placeholder in args.placeholder:
        cmd += ["--placeholder", placeholder]
    log = run(cmd)
    if not os.path.exists(merged):
        sys.stderr.write(log)
        sys.exit("android-resources: the manifest merger wrote no manifest")

    # 2. Resources: the AARs' (compiled once by `platform`), then the suite's own directories, as overlays in
    # priority order (later wins), like AGP's resource merge.
    flats = [lib["flat"] for lib in libraries if lib["flat"]]
    for index, res_dir in enumerate(args.res):
        flat = os.path.join(out, f"res-{index}.zip")
        run([aapt2, "compile", "--dir", res_dir, "-o", flat])
        flats.append(flat)

    # 3. Link: the resource APK Robolectric loads, and R.java for the app and every library package.
    apk = os.path.join(out, "resources.ap_")
    shutil.rmtree(args.r_java, ignore_errors=True)
    os.makedirs(args.r_java)
    app_package = manifest_package(open(merged, encoding="utf-8").read())
    packages = sorted(set(p for p in extra_packages if p != app_package))
    cmd = [aapt2, "link", "-I", os.path.join(platform_dir, "android-all.jar"), "--manifest", merged, "-o", apk,
           "--java", args.r_java, "--auto-add-overlay", "--no-version-vectors",
           "--min-sdk-version", args.min_sdk, "--target-sdk-version", args.target_sdk,
           "--extra-packages", ":".join(packages)]
    for flat in flats:
        cmd += ["-R", flat]
    for assets in args.assets:
        cmd += ["-A", assets]
    run(cmd)

    # 4. What Robolectric reads (the keys AGP writes).
    os.makedirs(os.path.dirname(args.test_config), exist_ok=True)
    with open(args.test_config, "w", encoding="utf-8") as f:
        f.write(f"android_merged_manifest={merged}\n")
        f.write(f"android_resource_apk={apk}\n")
        if args.assets:
            f.write(f"android_merged_assets={os.path.abspath(args.assets[-1])}\n")
        f.write(f"android_custom_package={app_package}\n")
    print(f"android-resources: linked {app_package} with {len(flats)} resource sets, R for {len(packages) + 1} packages")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("platform")
    p.add_argument("--aars", required=True)
    p.add_argument("--classes", required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(func=platform)
    l = sub.add_parser("link")
    l.add_argument("--platform", required=True)
    l.add_argument("--main-manifest", required=True)
    l.add_argument("--lib-manifest", action="append", default=[], help="NAMESPACE=path of a source library")
    l.add_argument("--placeholder", action="append", default=[], help="name=value")
    l.add_argument("--res", action="append", default=[])
    l.add_argument("--assets", action="append", default=[])
    l.add_argument("--out", required=True)
    l.add_argument("--r-java", required=True)
    l.add_argument("--test-config", required=True)
    l.add_argument("--java", default="java")
    l.add_argument("--min-sdk", default="24")
    l.add_argument("--target-sdk", default="36")
    l.set_defaults(func=link)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
