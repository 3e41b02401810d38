#!/usr/bin/env python3
"""Consistency checks of the Swift packaging that need no Swift toolchain (run by ios/scripts/check.sh):

1. every Swift file of ios/Sources and the Capacitor plugin that imports an Apple-only module does so inside an
   `#if` whose condition has `canImport(<that module>)`, so that a Swift toolchain off Apple platforms sees only the
   platform-neutral code;
2. both Package.swift files: swift-tools-version >= 5.10, every `path:` exists, the release workflow's rewrite
   lines are there, `#filePath` is resolved through symlinks, and the plugin's npm `files` ship what its manifest
   declares;
3. both podspecs: Swift >= 5.10, the same version and release tag form (`v<version>`), the LogtoFFI module's search
   path for the dependent pod, the privacy manifest as a resource bundle;
4. PrivacyInfo.xcprivacy: well-formed, only Apple's categories with reasons of that category, and a category for
   every required-reason API the Swift sources use; with `--lib PATH.a` (on a Mac, after build-xcframework.sh),
   also for every required-reason function that the static library references (`nm -u`).

It reads text; it is not a Swift parser: the compiler checks (check-swift.sh on Linux, the macOS workflow) are the
proof that the code builds.
"""
import argparse
import json
import plistlib
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IOS = ROOT / "ios"
PLUGIN = ROOT / "capacitor-plugin"
MANIFEST = IOS / "Sources/LogtoNative/PrivacyInfo.xcprivacy"

APPLE_ONLY = {
    "AuthenticationServices", "SafariServices", "Security", "UIKit", "AppKit", "WebKit", "LocalAuthentication",
    "Capacitor", "Cordova", "CryptoKit", "SwiftUI", "Combine", "os",
}

# Apple's required-reason API categories and their approved reasons ("Describing use of required reason API").
REASONS = {
    "NSPrivacyAccessedAPICategoryFileTimestamp": {"DDA9.1", "C617.1", "3B52.1", "0A2A.1"},
    "NSPrivacyAccessedAPICategorySystemBootTime": {"35F9.1", "8FFB.1", "3D61.1"},
    "NSPrivacyAccessedAPICategoryDiskSpace": {"85F4.1", "E174.1", "7D9E.1", "B728.1"},
    "NSPrivacyAccessedAPICategoryActiveKeyboards": {"3EC4.1", "54BD.1"},
    "NSPrivacyAccessedAPICategoryUserDefaults": {"CA92.1", "1C8F.1", "C56D.1", "AC6B.1"},
}
# Names of the APIs of each category as Swift code uses them.
SWIFT_APIS = {
    "NSPrivacyAccessedAPICategoryFileTimestamp": r"\b(creationDate|modificationDate|fileModificationDate|"
    r"contentModificationDateKey|creationDateKey|getattrlist\w*|fgetattrlist|fstatat|lstat|fstat|stat)\b(?!\w)",
    "NSPrivacyAccessedAPICategorySystemBootTime": r"\b(systemUptime|mach_absolute_time)\b",
    "NSPrivacyAccessedAPICategoryDiskSpace": r"\b(volumeAvailableCapacity\w*|volumeTotalCapacityKey|systemFreeSize|"
    r"systemSize|statfs|statvfs|fstatfs|fstatvfs)\b",
    "NSPrivacyAccessedAPICategoryActiveKeyboards": r"\bactiveInputModes\b",
    "NSPrivacyAccessedAPICategoryUserDefaults": r"\b(UserDefaults|NSUserDefaults)\b",
}
# C functions of each category, as `nm -u` lists them in a Mach-O library (leading underscore, $INODE64 variants).
C_SYMBOLS = {
    "NSPrivacyAccessedAPICategoryFileTimestamp": {"stat", "fstat", "fstatat", "lstat", "getattrlist",
                                                 "getattrlistbulk", "fgetattrlist", "getattrlistat"},
    "NSPrivacyAccessedAPICategorySystemBootTime": {"mach_absolute_time"},
    "NSPrivacyAccessedAPICategoryDiskSpace": {"statfs", "statvfs", "fstatfs", "fstatvfs"},
}

problems = []


def problem(message):
    problems.append(message)


def code_only(text):
    """Swift text with comments and string literals blanked (line numbers kept)."""
    text = re.sub(r'"""[\s\S]*?"""', lambda m: re.sub(r"[^\n]", " ", m.group()), text)
    text = re.sub(r"/\*[\s\S]*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group()), text)
    text = re.sub(r'"(?:\\.|[^"\\\n])*"', '""', text)
    return re.sub(r"//[^\n]*", "", text)


def swift_files(*dirs):
    for directory in dirs:
        if directory.is_dir():
            yield from sorted(p for p in directory.rglob("*.swift") if "Generated" not in p.parts)


# 1. Apple-only imports behind canImport ------------------------------------------------------------------------

def check_guards(files):
    checked = 0
    for path in files:
        stack = []  # conditions of the enclosing #if / #elseif / #else blocks
        for number, line in enumerate(code_only(path.read_text(encoding="utf-8")).splitlines(), 1):
            stripped = line.strip()
            if stripped.startswith("#if "):
                stack.append(stripped[4:])
            elif stripped.startswith("#elseif "):
                stack[-1:] = [stripped[8:]]
            elif stripped.startswith("#else"):
                stack[-1:] = ["!(" + (stack[-1] if stack else "") + ")"]
            elif stripped.startswith("#endif"):
                if stack:
                    stack.pop()
            match = re.match(r"(?:@\w+(?:\([^)]*\))?\s+)*import\s+(?:(?:class|struct|enum|protocol|func|var|let)\s+)?"
                             r"(\w+)", stripped)
            if match and match.group(1) in APPLE_ONLY:
                checked += 1
                module = match.group(1)
                if not any(f"canImport({module})" in c and not c.startswith("!(") for c in stack):
                    problem(f"{path.relative_to(ROOT)}:{number}: `import {module}` is not inside "
                            f"`#if canImport({module})`")
    return checked


# 2. Package.swift files ---------------------------------------------------------------------------------------

def tools_version(text, path):
    match = re.match(r"// swift-tools-version:\s*(\d+)\.(\d+)", text)
    if not match:
        problem(f"{path.relative_to(ROOT)}: no `// swift-tools-version:` on the first line")
        return None
    version = (int(match.group(1)), int(match.group(2)))
    if version < (5, 10):
        problem(f"{path.relative_to(ROOT)}: swift-tools-version {version[0]}.{version[1]} < 5.10 "
                "(the generated bindings need the Swift 5.10 compiler)")
    return version


def check_manifest_paths(path):
    text = path.read_text(encoding="utf-8")
    tools_version(text, path)
    paths = re.findall(r'\bpath:\s*"([^"]+)"', code_only_keep_strings(text))
    for declared in paths:
        if declared.startswith("Frameworks/"):
            continue  # built by build-xcframework.sh on a Mac
        if not (path.parent / declared).exists():
            problem(f"{path.relative_to(ROOT)}: path \"{declared}\" does not exist")
    for resource in re.findall(r'\.(?:copy|process)\("([^"]+)"\)', text):
        target_paths = [p for p in paths if p.startswith("Sources/")]
        if not any((path.parent / p / resource).exists() for p in target_paths):
            problem(f"{path.relative_to(ROOT)}: resource \"{resource}\" not found in the target's path")
    return text, paths


def code_only_keep_strings(text):
    text = re.sub(r"/\*[\s\S]*?\*/", "", text)
    return re.sub(r"(?m)^\s*//[^\n]*", "", text)


def check_ios_manifest():
    path = IOS / "Package.swift"
    text, _ = check_manifest_paths(path)
    # .github/workflows/release.yml rewrites exactly these lines (sed) at a release.
    for pattern in (r'(?m)^let useLocalFramework = (true|false)$', r'(?m)^let releaseURL = "https://[^"]+"$',
                    r'(?m)^let releaseChecksum = "[0-9a-f]{64}"$'):
        if not re.search(pattern, text):
            problem(f"ios/Package.swift: no line matching {pattern} (the release workflow rewrites it)")
    if 'resources: [.copy("PrivacyInfo.xcprivacy")]' not in text:
        problem("ios/Package.swift: the LogtoNative target does not ship PrivacyInfo.xcprivacy")


def check_plugin_manifest():
    path = PLUGIN / "Package.swift"
    _, paths = check_manifest_paths(path)
    text = path.read_text(encoding="utf-8")
    if not re.search(r"URL\(fileURLWithPath:\s*#filePath\)\s*\.resolvingSymlinksInPath\(\)", text):
        problem("capacitor-plugin/Package.swift: #filePath is not resolved through symlinks "
                "(a symlinked install would look for ../ios next to the link)")
    package = json.loads((PLUGIN / "package.json").read_text(encoding="utf-8"))
    files = package.get("files", [])
    for declared in paths:
        if not any(declared == f.rstrip("/") or declared.startswith(f.rstrip("/") + "/") for f in files):
            problem(f"capacitor-plugin/package.json `files` does not ship \"{declared}\", which Package.swift "
                    "declares (SwiftPM rejects a package whose target path is missing)")
    return package


# 3. Podspecs --------------------------------------------------------------------------------------------------

def check_podspecs(package):
    core = (IOS / "LogtoNative.podspec").read_text(encoding="utf-8")
    plugin = (PLUGIN / "LogtoNativeCapacitor.podspec").read_text(encoding="utf-8")
    version = re.search(r"s\.version\s*=\s*'([^']+)'", core)
    if not version:
        problem("ios/LogtoNative.podspec: no literal s.version")
    elif version.group(1) != package["version"]:
        problem(f"ios/LogtoNative.podspec: version {version.group(1)} != the plugin's {package['version']} "
                "(the plugin pod depends on the same version)")
    for name, text in (("ios/LogtoNative.podspec", core), ("capacitor-plugin/LogtoNativeCapacitor.podspec", plugin)):
        swift = re.search(r"s\.swift_versions?\s*=\s*\[?\s*'(\d+)\.(\d+)", text)
        if not swift or (int(swift.group(1)), int(swift.group(2))) < (5, 10):
            problem(f"{name}: swift_version must be at least 5.10")
        if ':tag => "v#{s.version}"' not in text:
            problem(f'{name}: the source tag must be "v#{{s.version}}" (release tags are v<semver>)')
    if "LogtoNative/Headers" not in plugin or "SWIFT_INCLUDE_PATHS" not in plugin:
        problem("capacitor-plugin/LogtoNativeCapacitor.podspec: no SWIFT_INCLUDE_PATHS to the LogtoFFI module "
                "(LogtoNative's Swift module imports it; the dependent pod must find it)")
    if "SWIFT_INCLUDE_PATHS" not in core:
        problem("ios/LogtoNative.podspec: no SWIFT_INCLUDE_PATHS to the LogtoFFI module of the XCFramework")
    if "PrivacyInfo.xcprivacy" not in core or "resource_bundles" not in core:
        problem("ios/LogtoNative.podspec: PrivacyInfo.xcprivacy is not in a resource bundle")
    if "s.dependency 'LogtoNative', s.version.to_s" not in plugin:
        problem("capacitor-plugin/LogtoNativeCapacitor.podspec: must depend on LogtoNative at its own version")


# 4. Privacy manifest ------------------------------------------------------------------------------------------

def check_privacy(swift_sources, library):
    try:
        manifest = plistlib.loads(MANIFEST.read_bytes())
    except Exception as error:  # noqa: BLE001 - any parse error is the finding
        problem(f"{MANIFEST.relative_to(ROOT)}: not a property list ({error})")
        return {}
    for key, kind in (("NSPrivacyTracking", bool), ("NSPrivacyTrackingDomains", list),
                      ("NSPrivacyCollectedDataTypes", list), ("NSPrivacyAccessedAPITypes", list)):
        if not isinstance(manifest.get(key), kind):
            problem(f"PrivacyInfo.xcprivacy: {key} missing or not a {kind.__name__}")
    if manifest.get("NSPrivacyTracking") and not manifest.get("NSPrivacyTrackingDomains"):
        problem("PrivacyInfo.xcprivacy: tracking without tracking domains")
    declared = {}
    for entry in manifest.get("NSPrivacyAccessedAPITypes", []):
        category = entry.get("NSPrivacyAccessedAPIType")
        reasons = entry.get("NSPrivacyAccessedAPITypeReasons") or []
        if category not in REASONS:
            problem(f"PrivacyInfo.xcprivacy: unknown API category {category}")
            continue
        if not reasons:
            problem(f"PrivacyInfo.xcprivacy: {category} without a reason")
        for reason in reasons:
            if reason not in REASONS[category]:
                problem(f"PrivacyInfo.xcprivacy: {reason} is not a reason of {category}")
        declared[category] = reasons
    for entry in manifest.get("NSPrivacyCollectedDataTypes", []):
        for key in ("NSPrivacyCollectedDataType", "NSPrivacyCollectedDataTypeLinked",
                    "NSPrivacyCollectedDataTypeTracking", "NSPrivacyCollectedDataTypePurposes"):
            if key not in entry:
                problem(f"PrivacyInfo.xcprivacy: a collected data type without {key}")

    for path in swift_sources:
        code = code_only(path.read_text(encoding="utf-8"))
        for category, pattern in SWIFT_APIS.items():
            for match in re.finditer(pattern, code):
                if category not in declared:
                    line = code[: match.start()].count("\n") + 1
                    problem(f"{path.relative_to(ROOT)}:{line}: uses {match.group(0)} ({category}), "
                            "which PrivacyInfo.xcprivacy does not declare")

    if library:
        output = subprocess.run(["nm", "-u", library], capture_output=True, text=True, check=True).stdout
        referenced = {re.sub(r"^_|\$.*$", "", line.split()[-1]) for line in output.splitlines() if line.strip()}
        referenced |= {name[:-2] for name in referenced if name.endswith("64")}  # stat64 & co.
        for category, symbols in C_SYMBOLS.items():
            used = sorted(referenced & symbols)
            if used and category not in declared:
                problem(f"{library}: references {', '.join(used)} ({category}), "
                        "which PrivacyInfo.xcprivacy does not declare")
            elif used:
                print(f"check-packaging: {Path(library).name} references {', '.join(used)}: {category} declared")
    return declared


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lib", help="a built static library (liblogto_uniffi.a for iOS) to scan with nm -u")
    args = parser.parse_args()

    layer_sources = list(swift_files(IOS / "Sources"))
    plugin_sources = list(swift_files(PLUGIN / "ios/Sources"))
    imports = check_guards(layer_sources + plugin_sources + list(swift_files(IOS / "Tests", PLUGIN / "ios/Tests")))
    check_ios_manifest()
    package = check_plugin_manifest()
    check_podspecs(package)
    declared = check_privacy(layer_sources + plugin_sources, args.lib)

    if problems:
        print("\n".join(problems), file=sys.stderr)
        print(f"check-packaging: {len(problems)} problem(s)", file=sys.stderr)
        sys.exit(1)
    print(f"check-packaging: {imports} Apple-only imports behind canImport; Package.swift x2 (tools >= 5.10, paths), "
          f"podspecs x2 and PrivacyInfo.xcprivacy ({', '.join(c.replace('NSPrivacyAccessedAPICategory', '') for c in declared)}) consistent")


if __name__ == "__main__":
    main()
