# CocoaPods spec of the Swift package in this directory (the `LogtoNative` Swift layer + LogtoFFI.xcframework),
# for apps that use CocoaPods instead of Swift Package Manager, e.g. the Capacitor plugin's
# LogtoNativeCapacitor.podspec. Use it by path from a checkout whose XCFramework was built:
#   ios/scripts/build-xcframework.sh          # → ios/Frameworks/LogtoFFI.xcframework
#   pod 'LogtoNative', :path => '<path to the repository>/ios'
# (Paths are relative to this directory, as CocoaPods resolves them for :path pods. It is not published to the
# CocoaPods trunk; Swift Package Manager with the released binary is the supported distribution.)
#
# NOT LINTED HERE: no CocoaPods or Xcode on the project's Linux machines.
Pod::Spec.new do |s|
  s.name = 'LogtoNative'
  s.version = '0.1.0'
  s.summary = 'Logto sign-in for iOS on the Rust core: async/await client, ASWebAuthenticationSession, Keychain.'
  s.homepage = 'https://github.com/logto-native/logto-native'
  s.license = { :type => 'MIT' }
  s.author = 'Logto native SDK contributors'
  s.source = { :git => 'https://github.com/logto-native/logto-native.git', :tag => "v#{s.version}" }
  s.ios.deployment_target = '15.0'
  s.swift_version = '5.9'
  s.source_files = 'Sources/LogtoNative/**/*.swift'
  s.vendored_frameworks = 'Frameworks/LogtoFFI.xcframework'
  s.frameworks = 'AuthenticationServices', 'SafariServices', 'Security'
end
