// Type-level checks of the contract test. Each check is a type that is `true` when it holds and an object type
// naming the offending members otherwise, so `const check: Check<…> = true` fails to compile with a message that
// says what is wrong (for example: Type 'boolean' is not assignable to type
// '{ "unexpected: getOidcConfig": "getOidcConfig"; }').

/** `true` when `A` and `B` are the same type. */
export type Same<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : { actual: A; expected: B };

/** `true` when `T` is `never` (an empty set of names); otherwise an object type whose keys name each member of `T`. */
export type Nothing<T> = [T] extends [never] ? true : { [K in T & PropertyKey as `unexpected: ${K & string}`]: K };

/** The names of the public members of `T` whose type is a function. */
export type PublicMethodNames<T> = {
  [K in keyof T]-?: T[K] extends (...args: never) => unknown ? K : never;
}[keyof T];

/** The names of the public members of `T` that are not functions. */
export type PublicPropertyNames<T> = Exclude<keyof T, PublicMethodNames<T>>;

/**
 * Every call signature of `F` (up to four overloads) as a union of `[parameters, return type]`. The four-slot
 * pattern picks each overload once when `F` has fewer (the duplicates collapse in the union).
 */
export type Overloads<F> = F extends {
  (...args: infer A1): infer R1;
  (...args: infer A2): infer R2;
  (...args: infer A3): infer R3;
  (...args: infer A4): infer R4;
}
  ? [A1, R1] | [A2, R2] | [A3, R3] | [A4, R4]
  : never;

// `F extends (...args: A) => R` compares against a function type literal, so parameters are checked strictly
// (contravariantly, as under strictFunctionTypes) even though `F` and the official signature are methods, which
// TypeScript would otherwise compare bivariantly. An overloaded `F` passes when one of its overloads fits.
type AcceptsOne<F, O> = O extends [infer A extends unknown[], infer R]
  ? F extends (...args: A) => R
    ? true
    : false
  : false;

/**
 * `true` when `F` can be called with the parameters of every signature in `O` (see {@link Overloads}) and its
 * result is assignable to that signature's return type.
 */
export type AcceptsEveryCall<F, O> = false extends AcceptsOne<F, O> ? { rejects: O } : true;

/** The names in `K` that `Ours` lacks. */
export type MissingMembers<Official, Ours, K extends keyof Official> = Exclude<K, keyof Ours>;

/** The names in `K` whose member in `Ours` does not accept every call of the member in `Official`. */
export type Incompatible<Official, Ours, K extends keyof Official> = {
  [P in K]: P extends keyof Ours ? (AcceptsEveryCall<Ours[P], Overloads<Official[P]>> extends true ? never : P) : P;
}[K];

/** `true` when every key of the object type `Official` is a key of `Ours` (no excess-property errors). */
export type CoversKeys<Official, Ours> = Nothing<Exclude<keyof Official, keyof Ours>>;
