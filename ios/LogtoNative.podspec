# CocoaPods spec of the Swift package in this directory (the `LogtoNative` Swift layer + LogtoFFI.xcframework),
# for apps that use CocoaPods instead of Swift Package Manager, e.g. the Capacitor plugin's
# LogtoNativeCapacitor.podspec. Use it by path from a checkout whose XCFramework was built:
#   ios/scripts/build-xcframework.sh          # → ios/Frameworks/LogtoFFI.xcframework
#   pod 'LogtoNative', :path => '<path to the repository>/ios'
# (Paths are relative to this directory, as CocoaPods resolves them for :path pods. It is not published to the
# CocoaPods trunk; Swift Package Manager with the released binary is the supported distribution.)
#
# NOT LINTED HERE: no CocoaPods or Xcode on the project's Linux machines; .github/workflows/ios.yml runs
# `pod lib lint` on a macOS runner. ios/scripts/check-packaging.py checks it against the plugin's podspec.
Pod::Spec.new do |s|
  s.name = 'LogtoNative'
  s.version = '0.1.0'
  s.summary = 'Logto sign-in for iOS on the Rust core: async/await client, ASWebAuthenticationSession, Keychain.'
  s.homepage = 'https://github.com/logto-native/logto-native'
  s.license = { :type => 'MIT' }
  s.author = 'Logto native SDK contributors'
  # Release tags are v<semver> (.github/workflows/release.yml), for this pod and LogtoNativeCapacitor alike.
  s.source = { :git => 'https://github.com/logto-native/logto-native.git', :tag => "v#{s.version}" }
  s.ios.deployment_target = '15.0'
  # The generated bindings need the Swift 5.10 compiler (Xcode 15.3) or newer.
  s.swift_version = '5.10'
  s.source_files = 'Sources/LogtoNative/**/*.swift'
  s.vendored_frameworks = 'Frameworks/LogtoFFI.xcframework'
  s.frameworks = 'AuthenticationServices', 'SafariServices', 'Security', 'UIKit'
  # The SDK's privacy manifest (the Rust core and this layer), as Apple asks of static libraries: in a bundle.
  s.resource_bundles = { 'LogtoNative_Privacy' => ['Sources/LogtoNative/PrivacyInfo.xcprivacy'] }
  # CocoaPods copies the XCFramework slice's Headers/ to ${PODS_XCFRAMEWORKS_BUILD_DIR}/<pod name>/Headers; the C
  # module LogtoFFI (module.modulemap) is in its LogtoFFI/ subdirectory. The Swift module LogtoNative imports it, so
  # every target that compiles against LogtoNative needs it on the Swift include path: this pod, the app
  # (user_target_xcconfig), and dependent pods (their own pod_target_xcconfig, e.g. LogtoNativeCapacitor.podspec).
  logto_ffi_module = '"${PODS_XCFRAMEWORKS_BUILD_DIR}/LogtoNative/Headers/LogtoFFI"'
  s.pod_target_xcconfig = { 'SWIFT_INCLUDE_PATHS' => "$(inherited) #{logto_ffi_module}" }
  s.user_target_xcconfig = { 'SWIFT_INCLUDE_PATHS' => "$(inherited) #{logto_ffi_module}" }
end
