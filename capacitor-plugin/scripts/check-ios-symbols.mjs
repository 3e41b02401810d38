// The iOS half cannot be compiled on the project's Linux machines (no Swift toolchain). This check catches the
// mistakes a compiler would catch first: it reads the plugin's Swift sources (ios/Sources/LogtoNativePlugin and
// ios/Tests/LogtoNativePluginTests) and verifies that
//
//   1. every type-like identifier (UpperCamelCase) they use is declared by the plugin itself, by the Swift layer of
//      the repository (../ios/Sources/LogtoNative, including the generated UniFFI bindings), by Capacitor's iOS
//      sources in node_modules/@capacitor/ios (Swift and Objective-C), or is on the short list of Apple SDK / Swift
//      standard library names below;
//   2. every call `name(label: …)` / `.name(label: …)` / `Type(label: …)` whose name is declared by the plugin, the
//      Swift layer or Capacitor matches one of those declarations: the call's argument labels, in order, must be
//      accepted by a declaration of that name (labels of parameters with default values may be left out);
//   3. every `.member` used on an enum-like value that the Swift layer declares (LogtoError cases and statics,
//      Notification names, …) exists.
//
// It is a heuristic parser, not a compiler: it proves that the names and argument labels the plugin relies on exist
// with those labels, not that types match. Usage: node scripts/check-ios-symbols.mjs   (after npm ci)
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const repo = join(root, '..');
const capacitor = join(root, 'node_modules/@capacitor/ios/Capacitor/Capacitor');
if (!existsSync(capacitor)) {
  console.error('check-ios-symbols: node_modules/@capacitor/ios is missing (run npm ci)');
  process.exit(2);
}

const walk = (dir, ext) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path, ext) : ext.some((e) => path.endsWith(e)) ? [path] : [];
  });

/**
 * Source text with comments blanked and string literals reduced to `""` (so neither is mistaken for code); newlines
 * are kept, so line numbers stay right. Handles line and block comments, "…", """…""" and raw #"…"# literals.
 */
const strip = (text) => {
  let out = '';
  let i = 0;
  const blank = (chunk) => chunk.replace(/[^\n]/g, ' ');
  while (i < text.length) {
    const rest = text.slice(i, i + 4);
    let end;
    if (rest.startsWith('//')) {
      end = text.indexOf('\n', i);
      end = end < 0 ? text.length : end;
      out += blank(text.slice(i, end));
    } else if (rest.startsWith('/*')) {
      end = text.indexOf('*/', i + 2);
      end = end < 0 ? text.length : end + 2;
      out += blank(text.slice(i, end));
    } else if (rest.startsWith('#"""') || rest.startsWith('#"')) {
      const close = rest.startsWith('#"""') ? '"""#' : '"#';
      end = text.indexOf(close, i + close.length);
      end = end < 0 ? text.length : end + close.length;
      out += '""' + blank(text.slice(i, end)).slice(2);
    } else if (rest.startsWith('"""')) {
      end = text.indexOf('"""', i + 3);
      end = end < 0 ? text.length : end + 3;
      out += '""' + blank(text.slice(i, end)).slice(2);
    } else if (text[i] === '"') {
      end = i + 1;
      while (end < text.length && text[end] !== '"' && text[end] !== '\n') end += text[end] === '\\' ? 2 : 1;
      end += 1;
      out += '""' + blank(text.slice(i, end)).slice(2);
    } else {
      out += text[i];
      end = i + 1;
    }
    i = end;
  }
  return out;
};

// Names of the Apple SDKs and the Swift standard library the plugin uses (checked by hand, not against the SDK).
const SDK = new Set(
  `
  Any AnyObject Array Bool CancellationError CheckedContinuation Data Date Decodable Dictionary DispatchQueue
  Double Encodable Equatable Error Foundation Hashable Int Int64 JSONDecoder JSONSerialization MainActor Never
  Notification NotificationCenter NSNull NSObject Optional ProcessInfo Selector Sendable Set String Task
  TimeInterval UInt16 UInt32 UInt64 UIKit UIViewController UIWindow URL URLComponents UUID Void XCTest XCTestCase
  XCTAssertEqual XCTAssertNil XCTAssertThrowsError XCTAssertTrue XCTAssertFalse XCTFail Self Type
  AsyncStream NSLock Capacitor LogtoNative
`
    .split(/\s+/)
    .filter(Boolean),
);

// Members of SDK values the plugin uses (`.main`, `.count`, …), checked by hand.
const SDK_MEMBERS = new Set(
  `
  default isCancelled sorted utf8 port assumeIsolated key value first count self rawValue main
`
    .split(/\s+/)
    .filter(Boolean),
);

// Functions of the SDKs and the standard library the plugin calls, checked by hand.
const SDK_FUNCS = new Set(
  `
  addObserver removeObserver cancel dropLast flatMap hasSuffix isSubset lowercased resume some
  body call lock unlock asyncAfter now
`
    .split(/\s+/)
    .filter(Boolean),
);

// ---------------------------------------------------------------------------------------------- declarations

const types = new Set(); // type, protocol, typealias, enum case and ObjC names
const funcs = new Map(); // name → list of label lists ({ labels: [...], defaults: [...] })
const members = new Set(); // static/instance properties, enum cases (lowerCamel), notification names

const addFunc = (name, params) => {
  if (!funcs.has(name)) funcs.set(name, []);
  funcs.get(name).push(params);
};

/** Splits `a, b(c, d), [e: f]` at top-level commas. */
const splitTopLevel = (text) => {
  const parts = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if ('([{<'.includes(ch)) depth += 1;
    if (')]}>'.includes(ch)) depth -= 1;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (current.trim()) parts.push(current);
  return parts;
};

/** The text between the parenthesis at `open` and its match. */
const balanced = (text, open) => {
  let depth = 0;
  for (let i = open; i < text.length; i += 1) {
    if (text[i] === '(') depth += 1;
    if (text[i] === ')') {
      depth -= 1;
      if (depth === 0) return text.slice(open + 1, i);
    }
  }
  return text.slice(open + 1);
};

/** Swift parameter list → [{ label, hasDefault }] (label null = `_`). */
const swiftParams = (list) =>
  splitTopLevel(list)
    .map((p) => p.replace(/@\w+(\([^)]*\))?\s*/g, '').trim())
    .filter(Boolean)
    .map((p) => {
      if (!p.includes(':')) return { label: null, hasDefault: false }; // `case x(URL)`: unlabelled
      const head = p.split(':')[0].trim().split(/\s+/);
      const label = head[0] === '_' ? null : head[0];
      return { label, hasDefault: /=/.test(p.slice(p.indexOf(':'))) };
    });

const declareSwift = (text) => {
  const code = strip(text);
  for (const m of code.matchAll(/\b(?:class|struct|enum|protocol|typealias|actor|associatedtype)\s+([A-Z]\w*)/g))
    types.add(m[1]);
  for (const m of code.matchAll(/@objc\((\w+)\)/g)) types.add(m[1]);
  for (const m of code.matchAll(/\bcase\s+([^\n{]*)/g)) {
    // `case a, b(x: T)` in enums (and, harmlessly, `case let` patterns).
    for (const part of splitTopLevel(m[1])) {
      const name = part.trim().match(/^(\w+)/)?.[1];
      if (!name || name === 'let' || name === 'var') continue;
      if (/^[A-Z]/.test(name)) types.add(name);
      members.add(name);
      const paren = part.indexOf('(');
      if (paren >= 0) addFunc(name, swiftParams(balanced(part, paren)));
    }
  }
  for (const m of code.matchAll(/\b(?:var|let)\s+(\w+)/g)) members.add(m[1]);
  for (const m of code.matchAll(/\bfunc\s+(`?\w+`?)\s*(<[^>]*>)?\s*\(/g)) {
    const name = m[1].replace(/`/g, '');
    members.add(name);
    addFunc(name, swiftParams(balanced(code, m.index + m[0].length - 1)));
  }
  for (const m of code.matchAll(/<\s*([A-Z]\w*)\s*(?::[^>]*)?>/g)) types.add(m[1]); // generic parameters
  // Type bodies (brace ranges), so that an initialiser belongs to its innermost enclosing type.
  const bodies = [];
  for (const m of code.matchAll(/\b(class|struct|enum|actor|extension)\s+([A-Z][\w.]*)[^{;]*\{/g)) {
    const open = m.index + m[0].length - 1;
    let depth = 0;
    let close = code.length;
    for (let i = open; i < code.length; i += 1) {
      if (code[i] === '{') depth += 1;
      if (code[i] === '}' && --depth === 0) {
        close = i;
        break;
      }
    }
    bodies.push({ kind: m[1], name: m[2].split('.').pop(), open, close });
  }
  const ownerAt = (index) =>
    bodies.filter((b) => b.open < index && index < b.close).sort((a, b) => b.open - a.open)[0]?.name;
  const explicitInit = new Set();
  for (const m of code.matchAll(/\b(?:convenience\s+|required\s+|override\s+|public\s+)*init\??\s*(<[^>]*>)?\s*\(/g)) {
    const owner = ownerAt(m.index);
    if (!owner) continue;
    explicitInit.add(owner);
    addFunc(owner, swiftParams(balanced(code, m.index + m[0].length - 1)));
  }
  // Classes without an explicit initialiser have `init()` (when every stored property has a default).
  for (const body of bodies.filter((b) => b.kind === 'class' && !explicitInit.has(b.name))) addFunc(body.name, []);
  // Memberwise initialisers of structs without an explicit one: the stored properties, in order.
  for (const body of bodies.filter((b) => b.kind === 'struct' && !explicitInit.has(b.name))) {
    const params = [];
    let depth = 0;
    const text = code.slice(body.open + 1, body.close);
    for (const line of text.split('\n')) {
      if (depth === 0) {
        const p = line.match(/^\s*(?:public\s+|private\s+|internal\s+|fileprivate\s+)?(let|var)\s+(\w+)\s*:[^={]*(=)?/);
        if (p && !/\{\s*$/.test(line))
          params.push({ label: p[2], hasDefault: Boolean(p[3]) || (/\?\s*$/.test(line.trim()) && p[1] === 'var') });
      }
      for (const ch of line) {
        if (ch === '{') depth += 1;
        if (ch === '}') depth -= 1;
      }
    }
    addFunc(body.name, params);
  }
};

const declareObjC = (text) => {
  const code = strip(text);
  for (const m of code.matchAll(/@(?:interface|protocol|class)\s+(\w+)/g)) types.add(m[1]);
  for (const m of code.matchAll(/#define\s+(\w+)/g)) {
    types.add(m[1]);
    members.add(m[1]);
  }
  for (const m of code.matchAll(/@property\s*(\([^)]*\))?[^;]*?\*?\s*(\w+)\s*;/g)) members.add(m[2]);
  for (const m of code.matchAll(/^[-+]\s*\([^)]*\)\s*([^;{]+)/gm)) {
    const selector = m[1];
    const pieces = [...selector.matchAll(/(\w+)\s*:\s*\([^)]*\)\s*\w+/g)].map((p) => p[1]);
    if (pieces.length === 0) {
      const name = selector.trim().match(/^(\w+)/)?.[1];
      if (name) {
        members.add(name);
        addFunc(name, []);
      }
      continue;
    }
    let [name, ...rest] = pieces;
    let first = null;
    const initWith = name.match(/^initWith(\w+)$/);
    if (initWith) {
      first = initWith[1][0].toLowerCase() + initWith[1].slice(1);
      name = 'init';
    }
    const params = [{ label: first, hasDefault: false }, ...rest.map((label) => ({ label, hasDefault: false }))];
    if (name === 'init') {
      const owner = [...code.slice(0, m.index).matchAll(/@interface\s+(\w+)/g)].pop()?.[1];
      if (owner) addFunc(owner, params);
    } else {
      members.add(name);
      addFunc(name, params);
    }
  }
};

const pluginSources = [
  ...walk(join(root, 'ios/Sources/LogtoNativePlugin'), ['.swift']),
  ...walk(join(root, 'ios/Tests/LogtoNativePluginTests'), ['.swift']),
];
const layerSources = walk(join(repo, 'ios/Sources/LogtoNative'), ['.swift']);
for (const file of [...pluginSources, ...layerSources, ...walk(capacitor, ['.swift'])])
  declareSwift(readFileSync(file, 'utf8'));
for (const file of walk(capacitor, ['.h'])) declareObjC(readFileSync(file, 'utf8'));
// The Swift names of Capacitor's Objective-C protocols/classes that differ from their ObjC names.
types.add('CAPPluginReturnPromise');

// ---------------------------------------------------------------------------------------------- uses

const problems = [];
let checkedTypes = 0;
let checkedCalls = 0;
const KEYWORDS = new Set(
  'if guard switch for while return throw try await catch do defer case let var func init super self Self in as is else where repeat'.split(
    ' ',
  ),
);

/** Whether the call's labels (in order, null = unlabelled) fit the declaration's parameters. */
const fits = (labels, params) => {
  let i = 0;
  for (const label of labels) {
    while (i < params.length && params[i].label !== label && params[i].hasDefault) i += 1;
    if (i >= params.length || params[i].label !== label) return false;
    i += 1;
  }
  return params.slice(i).every((p) => p.hasDefault);
};

for (const file of pluginSources) {
  const code = strip(readFileSync(file, 'utf8'));
  const where = (index) => `${relative(root, file)}:${code.slice(0, index).split('\n').length}`;

  for (const m of code.matchAll(/(?<![\w.])([A-Z][A-Za-z0-9_]*)\b/g)) {
    checkedTypes += 1;
    if (!types.has(m[1]) && !SDK.has(m[1])) problems.push(`${where(m.index)}: unknown type or case ${m[1]}`);
  }

  for (const m of code.matchAll(/(\.|\b)([A-Za-z_]\w*)[ \t]*\(/g)) {
    const name = m[2];
    if (KEYWORDS.has(name)) continue;
    if (/[@#]$/.test(code.slice(0, m.index))) continue; // @objc(…), #selector(…), #available(…)
    // Compilation conditions (`#if canImport(UIKit) && os(iOS)`): not calls.
    if (/^\s*#(if|elseif)\b/.test(code.slice(code.lastIndexOf('\n', m.index) + 1, m.index))) continue;
    // Declarations, not calls.
    const before = code.slice(Math.max(0, m.index - 24), m.index);
    if (/\b(func|case)\s+$/.test(before) || /@objc\($/.test(before)) continue;
    if (/\bcase\s+(let\s+|var\s+)?$/.test(before)) continue; // an enum pattern, not a call
    if (/\b([A-Z]\w*)$/.test(before) && SDK.has(before.match(/\b([A-Z]\w*)$/)[1])) continue; // SDK receiver
    if (SDK.has(name)) continue; // SDK type initialiser
    const declared = funcs.get(name);
    if (!declared) {
      // Not declared by the plugin, the Swift layer or Capacitor: must be a known SDK / standard-library function.
      // A stored closure (`let react: (…) -> Void`) is called like a function.
      if (!SDK_FUNCS.has(name) && !members.has(name)) problems.push(`${where(m.index)}: unknown function ${name}(…)`);
      continue;
    }
    const open = m.index + m[0].length - 1;
    const inside = balanced(code, open);
    const args = splitTopLevel(inside);
    const labels = args.map((a) => {
      const label = a.trim().match(/^([A-Za-z_]\w*)\s*:(?!:)/)?.[1] ?? null;
      return label === '_' ? null : label;
    });
    // A trailing closure is one more unlabelled argument (not in if/guard/while conditions, where Swift forbids it).
    const after = code.slice(open + inside.length + 2).match(/^\s*\{/);
    const lineStart = code.lastIndexOf('\n', m.index) + 1;
    const condition = /^\s*(if|guard|while|switch|for)\b/.test(code.slice(lineStart, m.index));
    const candidates = after && !condition ? [[...labels, null], labels] : [labels];
    checkedCalls += 1;
    if (!declared.some((params) => candidates.some((c) => fits(c, params)))) {
      const shown = labels.map((l) => `${l ?? '_'}:`).join('');
      problems.push(
        `${where(m.index)}: no declaration of ${name}(${shown}) (declared: ${declared.map((p) => `${name}(${p.map((x) => `${x.label ?? '_'}:`).join('')})`).join(', ')})`,
      );
    }
  }

  // `.member` shorthand / member access on values: the member must exist somewhere (plugin, layer, Capacitor)
  // unless it is an SDK member; only names that the layer or Capacitor could own are checked (lowerCamel after a
  // dot, not followed by `(`, which the call check covers).
  for (const m of code.matchAll(/\.([a-z]\w*)\b(?!\s*\()/g)) {
    const name = m[1];
    if (members.has(name) || funcs.has(name)) continue;
    if (SDK_MEMBERS.has(name)) continue;
    problems.push(`${where(m.index)}: unknown member .${name}`);
  }
}

const version = JSON.parse(readFileSync(join(root, 'node_modules/@capacitor/ios/package.json'), 'utf8')).version;
if (problems.length > 0) {
  console.error(problems.join('\n'));
  console.error(`check-ios-symbols: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log(
  `check-ios-symbols: ${pluginSources.length} Swift files: ${checkedTypes} type references and ${checkedCalls} calls ` +
    `resolve against the plugin, ios/Sources/LogtoNative and @capacitor/ios ${version}`,
);
