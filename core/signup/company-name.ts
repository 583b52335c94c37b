/**
 * What a company name may hold. It is shown in emails sent from Embark's domain, in the console and on the
 * signup page, and its slug names a namespace, so the boundary refuses what could forge headers or markup,
 * hide text, lure a reader to another site, or pass one company off as another (a Cyrillic "А" in "Аcme").
 * Names are stored in NFC with runs of spaces collapsed.
 */

/** NFC, every kind of space as " ", runs collapsed, trimmed. */
export function normalizeCompanyName(name: string): string {
  return name
    .normalize("NFC")
    .replace(/\p{Zs}+/gu, " ")
    .trim();
}

/** Scripts a word may combine (UTS #39 "highly restrictive": Japanese, Chinese and Korean writing). */
const SCRIPT_SETS: readonly (readonly string[])[] = [
  ["Han", "Hiragana", "Katakana"],
  ["Han", "Bopomofo"],
  ["Han", "Hangul"],
];
const SCRIPTS = [
  "Latin",
  "Cyrillic",
  "Greek",
  "Armenian",
  "Georgian",
  "Hebrew",
  "Arabic",
  "Devanagari",
  "Bengali",
  "Thai",
  "Han",
  "Hiragana",
  "Katakana",
  "Hangul",
  "Bopomofo",
  "Cherokee",
  "Ethiopic",
  "Tamil",
  "Telugu",
  "Kannada",
  "Malayalam",
  "Gujarati",
  "Gurmukhi",
  "Sinhala",
  "Khmer",
  "Lao",
  "Myanmar",
  "Tibetan",
  "Mongolian",
] as const;
const SCRIPT_TESTS = SCRIPTS.map((s) => [s, new RegExp(`^\\p{Script=${s}}$`, "u")] as const);

function scriptOf(letter: string): string {
  return SCRIPT_TESTS.find(([, re]) => re.test(letter))?.[0] ?? "Other";
}

/** The scripts of a word's letters, when they are not one script or an allowed combination. */
function mixedScripts(word: string): string[] | undefined {
  const scripts = [...new Set([...word.matchAll(/\p{L}/gu)].map((m) => scriptOf(m[0])))];
  if (scripts.length <= 1) return undefined;
  if (SCRIPT_SETS.some((set) => scripts.every((s) => set.includes(s)))) return undefined;
  return scripts;
}

const codePoint = (c: string) => `U+${c.codePointAt(0)?.toString(16).toUpperCase().padStart(4, "0")}`;

/** Why a (normalized) company name is refused, or undefined when it is fine. */
export function companyNameProblem(name: string): string | undefined {
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(name))
    return "companyName is not valid Unicode (it has an unpaired surrogate)";
  const control = /[\p{Cc}\u2028\u2029]/u.exec(name);
  if (control)
    return `companyName must be one line without control characters (it has ${codePoint(control[0])})`;
  // Format characters hide or reorder text (U+202E flips it); ZWNJ/ZWJ are kept, scripts and emoji need them.
  const invisible = /(?![\u200C\u200D])[\p{Cf}\p{Co}\p{Cn}]/u.exec(name);
  if (invisible)
    return `companyName must not contain invisible, private-use or unassigned characters (it has ${codePoint(invisible[0])})`;
  if (/\p{M}{4}/u.test(name)) return "companyName stacks too many combining marks on one letter";
  if (/[<>]/.test(name)) return 'companyName must not contain "<" or ">"';
  if (/:\/\/|\bwww\./i.test(name)) return "companyName must not contain a web address";
  for (const word of name.split(/[^\p{L}\p{M}]+/u)) {
    const scripts = mixedScripts(word);
    if (scripts)
      return `companyName mixes scripts in the word ${JSON.stringify(word)} (${scripts.join(" and ")}): write each word in one script`;
  }
  return undefined;
}
