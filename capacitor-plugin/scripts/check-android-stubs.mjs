// Checks that the hand-written Capacitor stubs the Android half is compile-checked against
// (android/jvm-test/android-check/stubs/com/getcapacitor/**) declare nothing that the real Capacitor Android
// library does not: every class, constructor, method, annotation element and constant of a stub must appear,
// with the same signature, in the Java sources that @capacitor/android (the version in package.json's
// devDependencies) ships in node_modules. A stub that invents or misspells an API fails here, so the compile check
// against the stubs means something.
//
// Usage: node scripts/check-android-stubs.mjs   (after npm ci)
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stubs = join(root, 'android/jvm-test/android-check/stubs');
const real = join(root, 'node_modules/@capacitor/android/capacitor/src/main/java');
if (!existsSync(real)) {
  console.error(`check-android-stubs: ${relative(root, real)} is missing (run npm ci)`);
  process.exit(2);
}

const walk = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : path.endsWith('.java') ? [path] : [];
  });

/** A declaration without its body, annotations' nullability, `final` on parameters, and extra whitespace. */
const normalize = (line) =>
  line
    .replace(/\/\/.*$/, '')
    .replace(/@Nullable\s+|@NonNull\s+/g, '')
    .replace(/\{.*$/, '')
    .replace(/;\s*$/, '')
    .replace(/\s+/g, ' ')
    .trim();

/** The declaration lines of a Java file: members (4-space indent) and top-level types. */
const declarations = (text) =>
  text
    .split('\n')
    .filter(
      (line) =>
        /^( {4})?(public|protected|static|@interface|String|int|boolean)\b/.test(line) || /^public\b/.test(line),
    )
    .filter((line) => !/^\s*(\/\/|\*|\/\*)/.test(line))
    .map(normalize)
    .filter((line) => line.length > 0);

let checked = 0;
const problems = [];
for (const stub of walk(join(stubs, 'com/getcapacitor'))) {
  const path = relative(stubs, stub);
  const source = join(real, path);
  if (!existsSync(source)) {
    problems.push(`${path}: no such file in @capacitor/android`);
    continue;
  }
  const known = new Set(declarations(readFileSync(source, 'utf8')));
  for (const declaration of declarations(readFileSync(stub, 'utf8'))) {
    checked += 1;
    if (!known.has(declaration)) {
      problems.push(`${path}: "${declaration}" is not declared by @capacitor/android`);
    }
  }
}

const version = JSON.parse(readFileSync(join(root, 'node_modules/@capacitor/android/package.json'), 'utf8')).version;
if (problems.length > 0) {
  console.error(problems.join('\n'));
  console.error(
    `check-android-stubs: ${problems.length} of ${checked} stub declarations differ from @capacitor/android ${version}`,
  );
  process.exit(1);
}
console.log(`check-android-stubs: all ${checked} stub declarations match @capacitor/android ${version}`);
