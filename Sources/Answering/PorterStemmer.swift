/// The Porter stemmer (M. F. Porter, "An algorithm for suffix stripping", 1980): English words reduced
/// to a common stem by their suffixes ("forming", "formed" and "form" all give "form"; "promoted" and
/// "promote" give "promot"). The citation check compares an answer's words with a source's by it,
/// where a fixed-length prefix both joins unrelated words ("constitution", "constant") and splits
/// forms of one word ("form", "formi…"). Lower-case ASCII words only; any other word, and words of
/// one or two letters, are returned as they are.
enum PorterStemmer {
    static func stem(_ word: String) -> String {
        let letters = Array(word.utf8)
        guard letters.count > 2, letters.allSatisfy({ $0 >= a && $0 <= z }) else { return word }
        var stemmer = Word(letters)
        stemmer.step1a()
        stemmer.step1b()
        stemmer.step1c()
        stemmer.replace(step2)
        stemmer.replace(step3)
        stemmer.step4()
        stemmer.step5()
        return String(decoding: stemmer.letters, as: UTF8.self)
    }

    private static let a = UInt8(ascii: "a")
    private static let z = UInt8(ascii: "z")

    private static let step2: [([UInt8], [UInt8])] = bytes([
        ("ational", "ate"), ("tional", "tion"), ("enci", "ence"), ("anci", "ance"), ("izer", "ize"), ("bli", "ble"),
        ("alli", "al"), ("entli", "ent"), ("eli", "e"), ("ousli", "ous"), ("ization", "ize"), ("ation", "ate"),
        ("ator", "ate"), ("alism", "al"), ("iveness", "ive"), ("fulness", "ful"), ("ousness", "ous"), ("aliti", "al"),
        ("iviti", "ive"), ("biliti", "ble"), ("logi", "log"),
    ])

    private static let step3: [([UInt8], [UInt8])] = bytes([
        ("icate", "ic"), ("ative", ""), ("alize", "al"), ("iciti", "ic"), ("ical", "ic"), ("ful", ""), ("ness", ""),
    ])

    /// Longest first where one ends another ("ement" before "ment" before "ent").
    private static let step4: [[UInt8]] = [
        "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ion", "ou", "ism", "ate", "iti",
        "ous", "ive", "ize",
    ].map { Array($0.utf8) }

    private static func bytes(_ rules: [(String, String)]) -> [([UInt8], [UInt8])] {
        rules.map { (Array($0.0.utf8), Array($0.1.utf8)) }
    }

    private struct Word {
        var letters: [UInt8]

        init(_ letters: [UInt8]) { self.letters = letters }

        func isConsonant(_ index: Int) -> Bool {
            switch letters[index] {
            case UInt8(ascii: "a"), UInt8(ascii: "e"), UInt8(ascii: "i"), UInt8(ascii: "o"), UInt8(ascii: "u"): return false
            case UInt8(ascii: "y"): return index == 0 || !isConsonant(index - 1)
            default: return true
            }
        }

        /// Porter's m: the number of vowel-consonant sequences in the first `length` letters.
        func measure(_ length: Int) -> Int {
            var count = 0
            var index = 0
            while index < length, isConsonant(index) { index += 1 }
            while index < length {
                while index < length, !isConsonant(index) { index += 1 }
                guard index < length else { break }
                count += 1
                while index < length, isConsonant(index) { index += 1 }
            }
            return count
        }

        func hasVowel(_ length: Int) -> Bool { (0..<length).contains { !isConsonant($0) } }

        func endsWithDoubleConsonant(_ length: Int) -> Bool {
            length >= 2 && letters[length - 1] == letters[length - 2] && isConsonant(length - 1)
        }

        /// Consonant, vowel, consonant at the end, the last not w, x or y ("hop", not "snow").
        func endsCVC(_ length: Int) -> Bool {
            guard length >= 3, isConsonant(length - 1), !isConsonant(length - 2), isConsonant(length - 3) else { return false }
            let last = letters[length - 1]
            return last != UInt8(ascii: "w") && last != UInt8(ascii: "x") && last != UInt8(ascii: "y")
        }

        func ends(with suffix: String) -> Bool { ends(with: Array(suffix.utf8)) }

        func ends(with suffix: [UInt8]) -> Bool {
            guard letters.count >= suffix.count else { return false }
            let start = letters.count - suffix.count
            for offset in suffix.indices where letters[start + offset] != suffix[offset] { return false }
            return true
        }

        /// The length of the stem left when `suffix` is removed.
        func stemLength(without suffix: String) -> Int { letters.count - suffix.utf8.count }

        mutating func set(_ suffix: String, to replacement: String) { set(Array(suffix.utf8), to: Array(replacement.utf8)) }

        mutating func set(_ suffix: [UInt8], to replacement: [UInt8]) {
            letters.removeLast(suffix.count)
            letters.append(contentsOf: replacement)
        }

        mutating func step1a() {
            if ends(with: "sses") {
                set("sses", to: "ss")
            } else if ends(with: "ies") {
                set("ies", to: "i")
            } else if !ends(with: "ss"), ends(with: "s") {
                set("s", to: "")
            }
        }

        mutating func step1b() {
            if ends(with: "eed") {
                if measure(stemLength(without: "eed")) > 0 { set("eed", to: "ee") }
                return
            }
            guard let suffix = ["ed", "ing"].first(where: { ends(with: $0) }), hasVowel(stemLength(without: suffix)) else { return }
            set(suffix, to: "")
            if ends(with: "at") || ends(with: "bl") || ends(with: "iz") {
                letters.append(UInt8(ascii: "e"))
            } else if endsWithDoubleConsonant(letters.count), !ends(with: "l"), !ends(with: "s"), !ends(with: "z") {
                letters.removeLast()
            } else if measure(letters.count) == 1, endsCVC(letters.count) {
                letters.append(UInt8(ascii: "e"))
            }
        }

        mutating func step1c() {
            if ends(with: "y"), hasVowel(letters.count - 1) { letters[letters.count - 1] = UInt8(ascii: "i") }
        }

        /// Steps 2 and 3: the first rule whose suffix the word ends with applies, if the stem left has m > 0.
        mutating func replace(_ rules: [([UInt8], [UInt8])]) {
            guard let (suffix, replacement) = rules.first(where: { ends(with: $0.0) }) else { return }
            if measure(letters.count - suffix.count) > 0 { set(suffix, to: replacement) }
        }

        mutating func step4() {
            guard let suffix = PorterStemmer.step4.first(where: { ends(with: $0) }) else { return }
            let length = letters.count - suffix.count
            guard measure(length) > 1 else { return }
            if suffix == Array("ion".utf8) {
                guard length > 0, letters[length - 1] == UInt8(ascii: "s") || letters[length - 1] == UInt8(ascii: "t") else { return }
            }
            set(suffix, to: [])
        }

        mutating func step5() {
            if ends(with: "e") {
                let length = letters.count - 1
                let m = measure(length)
                if m > 1 || (m == 1 && !endsCVC(length)) { letters.removeLast() }
            }
            if measure(letters.count) > 1, endsWithDoubleConsonant(letters.count), ends(with: "l") { letters.removeLast() }
        }
    }
}
