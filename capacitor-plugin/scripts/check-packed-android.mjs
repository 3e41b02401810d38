// Checks, from the outside, that the Android half of a packed logto-native-capacitor tarball can be built by an app
// that installed it from npm, without this repository: every dependency that android/build.gradle declares for the
// app's classpath must be provided either by the tarball itself (the Maven repository android/maven, which the
// release workflow fills with dev.logtocore:logto-android) or by a public registry, or be a project the Capacitor
// CLI adds to every app (:capacitor-android). The AAR's own POM dependencies are checked the same way.
//
// Public coordinates are resolved with Maven (`dependency:get`), which here goes through the registry the project's
// machines reach (Maven Central, and Google's Maven for androidx).
//
// Usage: node scripts/check-packed-android.mjs <package.tgz>
// Prints one line per check and "packed-android: N passed, M failed"; exits 1 if any failed.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const tarball = process.argv[2];
if (!tarball || !existsSync(tarball)) {
  console.error('usage: node scripts/check-packed-android.mjs <package.tgz>');
  process.exit(2);
}

let passed = 0;
let failed = 0;
const check = (ok, description) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} - ${description}`);
  if (ok) passed++;
  else failed++;
  return ok;
};

const work = mkdtempSync(join(tmpdir(), 'packed-android-'));
try {
  execFileSync('tar', ['-xzf', resolve(tarball), '-C', work]);
  const pkg = join(work, 'package');
  const version = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')).version;
  const gradle = readFileSync(join(pkg, 'android/build.gradle'), 'utf8');

  // The ext defaults (`name = project.hasProperty('name') ? rootProject.ext.name : <default>`).
  const packageVersionVar =
    /def\s+(\w+)\s*=\s*new groovy\.json\.JsonSlurper\(\)\.parse\(file\('\.\.\/package\.json'\)\)\.version/.exec(
      gradle,
    )?.[1];
  const ext = {};
  for (const m of gradle.matchAll(
    /(\w+)\s*=\s*project\.hasProperty\('\w+'\)\s*\?\s*rootProject\.ext\.\w+\s*:\s*(?:'([^']*)'|(\w+))/g,
  )) {
    ext[m[1]] = m[2] ?? (m[3] === packageVersionVar ? version : undefined);
  }
  const expand = (text) => text.replace(/\$\{?(\w+)\}?/g, (_, name) => ext[name] ?? `<unknown ${name}>`);

  // What the app's classpath gets from this module: `implementation` (and `api`) dependencies.
  const dependencies = [...gradle.matchAll(/^\s*(?:implementation|api)\s+(.+)$/gm)].map((m) => m[1].trim());
  const coordinates = [];
  for (const dependency of dependencies) {
    if (/^fileTree\(/.test(dependency)) continue; // libs/*.jar inside the package: none are shipped
    const project = /^project\('([^']+)'\)/.exec(dependency)?.[1];
    if (project) {
      if (project === ':logto-android') continue; // only when the app's build includes the repository's project
      check(project === ':capacitor-android', `project ${project} is one the Capacitor CLI includes in every app`);
      continue;
    }
    const literal = /^["']([^"']+)["']$/.exec(dependency)?.[1];
    if (!check(Boolean(literal), `dependency ${dependency} is a plain coordinate`)) continue;
    const [group, artifact, rawVersion] = expand(literal).split(':');
    const [v, type] = rawVersion.split('@');
    coordinates.push({ group, artifact, version: v, type: type ?? 'jar' });
  }

  const publicCoordinates = [];
  for (const c of coordinates) {
    if (c.group !== 'dev.logtocore') {
      publicCoordinates.push(c);
      continue;
    }
    check(
      c.version === version,
      `${c.group}:${c.artifact} defaults to the package's version (${c.version} = ${version})`,
    );
    check(
      /url\s*=\s*logtoMavenRepository/.test(gradle) &&
        /def\s+logtoMavenRepository\s*=\s*file\('maven'\)/.test(gradle) &&
        /includeGroup\s+'dev\.logtocore'/.test(gradle) &&
        /rootProject\.allprojects/.test(gradle),
      "build.gradle adds the package's android/maven repository (dev.logtocore only) to every project of the app",
    );
    const dir = join(pkg, 'android/maven', ...c.group.split('.'), c.artifact, c.version);
    const pom = join(dir, `${c.artifact}-${c.version}.pom`);
    const aar = join(dir, `${c.artifact}-${c.version}.aar`);
    if (
      !check(
        existsSync(pom) && existsSync(aar),
        `${c.group}:${c.artifact}:${c.version} (.pom, .aar) is in the tarball's android/maven`,
      )
    ) {
      continue;
    }
    const pomText = readFileSync(pom, 'utf8');
    for (const d of pomText.matchAll(/<dependency>([\s\S]*?)<\/dependency>/g)) {
      const field = (name) => new RegExp(`<${name}>([^<]+)</${name}>`).exec(d[1])?.[1];
      const scope = field('scope') ?? 'compile';
      if (scope !== 'compile' && scope !== 'runtime') continue;
      publicCoordinates.push({
        group: field('groupId'),
        artifact: field('artifactId'),
        version: field('version'),
        type: field('type') ?? 'jar',
        from: `${c.artifact}'s POM`,
      });
    }
  }

  // Groups that build.gradle serves from a third-party repository it adds to every project of the app's build
  // (`rootProject.allprojects { … maven { url = <var>; content { includeGroup '<group>' } } }`): rustls' own
  // repository for rustls-platform-verifier's Kotlin half. Not fetched (the machines here reach only Maven Central
  // and Google's Maven); checked to be declared, over https, for that group only, to every project.
  const allProjects = /rootProject\.allprojects\s*\{[\s\S]*?\n\}/g;
  const declaredGroups = new Map();
  for (const block of gradle.match(allProjects) ?? []) {
    for (const repo of block.matchAll(/maven\s*\{([\s\S]*?)content\s*\{\s*includeGroup\s+'([^']+)'\s*\}/g)) {
      const urlVar = /url\s*=\s*(\w+)/.exec(repo[1])?.[1];
      const url = urlVar && new RegExp(`def\\s+${urlVar}\\s*=\\s*'([^']+)'`).exec(gradle)?.[1];
      if (url?.startsWith('https://')) declaredGroups.set(repo[2], url);
    }
  }

  // Each public coordinate must be served: its POM (Gradle then picks the artifact from the module's metadata), or
  // the AAR itself where the dependency names the type (`@aar`). Artifacts only: their own dependencies are the
  // registry's business.
  const seen = new Set();
  for (const c of publicCoordinates) {
    const type = c.type === 'aar' ? 'aar' : 'pom';
    const id = `${c.group}:${c.artifact}:${c.version}:${type}`;
    if (seen.has(id)) continue;
    seen.add(id);
    if (!check(/^[\w.+-]+$/.test(c.version ?? ''), `${id} has a concrete version`)) continue;
    if (declaredGroups.has(c.group)) {
      check(
        true,
        `${id}${c.from ? ` (from ${c.from})` : ''} comes from the repository build.gradle adds to every project for group ${c.group} (${declaredGroups.get(c.group)}; not reachable from here)`,
      );
      continue;
    }
    let resolved = true;
    try {
      execFileSync('mvn', ['-B', '-ntp', '-q', 'dependency:get', `-Dartifact=${id}`, '-Dtransitive=false'], {
        stdio: 'ignore',
      });
    } catch {
      resolved = false;
    }
    check(resolved, `${id}${c.from ? ` (from ${c.from})` : ''} is served by a public registry`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(`packed-android: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
