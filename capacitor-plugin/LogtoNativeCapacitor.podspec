# CocoaPods spec of the iOS half of logto-native-capacitor (Capacitor's CocoaPods integration:
# `npx cap add ios --packagemanager CocoaPods`). Capacitor 8 apps use Swift Package Manager by default
# (Package.swift), which is the supported way to get the released XCFramework.
#
# NOT BUILT OR LINTED HERE: the machine this was written on has no CocoaPods, Xcode or Swift toolchain.
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
  s.source = { :git => package['repository']['url'], :tag => s.version.to_s }
  s.source_files = 'ios/Sources/**/*.{swift,h,m,c,cc,mm,cpp}'
  s.ios.deployment_target = '15.0'
  s.dependency 'Capacitor'
  s.dependency 'LogtoNative', s.version.to_s
  s.swift_version = '5.9'
end
