# CocoaPods spec of the iOS half of logto-native-capacitor (Capacitor's CocoaPods integration:
# `npx cap add ios --packagemanager CocoaPods`). Capacitor 8 apps use Swift Package Manager by default
# (Package.swift), which is the supported way to get the released XCFramework.
#
# NOT BUILT OR LINTED HERE: no CocoaPods or Xcode on the project's Linux machines; .github/workflows/ios.yml runs
# `pod lib lint` on a macOS runner, and ios/scripts/check-packaging.py checks it against ios/LogtoNative.podspec.
#
# It depends on the pod `LogtoNative`: the Swift layer of the project (ios/ in the repository) with the
# LogtoFFI.xcframework of the Rust core, described by ios/LogtoNative.podspec. It is not on the CocoaPods trunk;
# point the app's Podfile at a checkout whose XCFramework was built (ios/scripts/build-xcframework.sh):
#   pod 'LogtoNative', :path => '<path to the repository>/ios'
require 'json'

package = JSON.parse(File.read(File.join(__dir__, 'package.json')))

Pod::Spec.new do |s|
  s.name = 'LogtoNativeCapacitor'
  s.version = package['version']
  s.summary = package['description']
  s.license = package['license']
  s.homepage = package['homepage']
  s.author = package['author']
  # Release tags are v<semver> (.github/workflows/release.yml), as in ios/LogtoNative.podspec.
  s.source = { :git => package['repository']['url'], :tag => "v#{s.version}" }
  s.source_files = 'ios/Sources/**/*.{swift,h,m,c,cc,mm,cpp}'
  s.ios.deployment_target = '15.0'
  s.dependency 'Capacitor'
  s.dependency 'LogtoNative', s.version.to_s
  # The generated bindings in LogtoNative need the Swift 5.10 compiler (Xcode 15.3) or newer.
  s.swift_version = '5.10'
  # LogtoNative's Swift module imports the C module LogtoFFI of its XCFramework; this pod compiles against
  # LogtoNative, so it needs that module map on its Swift include path too (where CocoaPods copies the headers of
  # the LogtoNative pod's XCFramework).
  s.pod_target_xcconfig = {
    'SWIFT_INCLUDE_PATHS' => '$(inherited) "${PODS_XCFRAMEWORKS_BUILD_DIR}/LogtoNative/Headers/LogtoFFI"'
  }
end
