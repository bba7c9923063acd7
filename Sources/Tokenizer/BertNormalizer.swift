import Foundation

/// The BERT normaliser: the stages run in the reference's order, each on Unicode scalars (the
/// reference's `char`), never on Swift `Character`s (grapheme clusters).
struct BertNormalizer: Sendable, Equatable {
    /// Drop control characters, NUL and U+FFFD; turn whitespace into U+0020.
    var cleanText = true
    /// Put spaces around CJK ideographs so that each becomes a word.
    var handleChineseCharacters = true
    /// Canonical decomposition (NFD), then drop nonspacing marks.
    var stripAccents = true
    /// Full Unicode lowercase mapping, one scalar at a time (no final-sigma rule, like the reference).
    var lowercase = true

    /// Appends the normalised form of `text` to `output`.
    func normalize(_ text: ArraySlice<Unicode.Scalar>, into output: inout [Unicode.Scalar]) {
        let start = output.count
        output.reserveCapacity(start + text.count + 8)
        var hasNonASCII = false
        // Decomposition is needed only from U+00C0, the first scalar with a canonical decomposition.
        var needsDecomposition = false
        for scalar in text {
            let value = scalar.value
            // ASCII is most text, and every stage treats it alone: decomposition leaves it unchanged, so
            // it can be lowercased here, before the non-ASCII scalars are decomposed.
            if value < 0x80 {
                if cleanText, value < 0x20 || value == 0x7F {
                    if value == 0x09 || value == 0x0A || value == 0x0D { output.append(" ") }
                    continue
                }
                output.append(lowercase && (0x41...0x5A).contains(value) ? Unicode.Scalar(UInt8(value + 0x20)) : scalar)
                continue
            }
            hasNonASCII = true
            if cleanText {
                if BertCharacterClass.isRemoved(value) { continue }
                if BertCharacterClass.isWhitespace(value) {
                    output.append(" ")
                    continue
                }
            }
            if handleChineseCharacters, value >= 0x3400, BertCharacterClass.isChineseCharacter(value) {
                output.append(" ")
                output.append(scalar)
                output.append(" ")
            } else {
                output.append(scalar)
            }
            needsDecomposition = needsDecomposition || value >= 0xC0
        }
        guard hasNonASCII else { return }
        if stripAccents, needsDecomposition {
            let composed = Array(output[start...])
            output.removeSubrange(start...)
            stripAccents(composed, into: &output)
        } else if lowercase {
            let firstChange = output[start...].firstIndex { !$0.isASCII && $0.properties.changesWhenLowercased }
            guard let firstChange else { return }
            let tail = Array(output[firstChange...])
            output.removeSubrange(firstChange...)
            for scalar in tail {
                appendCased(scalar, to: &output)
            }
        }
    }

    /// NFD, then drop nonspacing marks, then lowercase (ASCII is already lowercased).
    ///
    /// Decomposition and canonical reordering never cross an ASCII scalar (a starter that does not
    /// decompose), so each run of non-ASCII scalars is decomposed alone. Runs below U+0370 use a table;
    /// every scalar with a nonzero combining class there (U+0300–U+036F) is a nonspacing mark and is
    /// dropped, so their order does not matter.
    private func stripAccents(_ scalars: [Unicode.Scalar], into output: inout [Unicode.Scalar]) {
        var index = 0
        while index < scalars.count {
            guard !scalars[index].isASCII else {
                output.append(scalars[index])
                index += 1
                continue
            }
            var runEnd = index
            var isLatin = true
            while runEnd < scalars.count, !scalars[runEnd].isASCII {
                isLatin = isLatin && scalars[runEnd].value < 0x370
                runEnd += 1
            }
            if isLatin {
                for scalar in scalars[index..<runEnd] {
                    for part in Self.latinDecomposition(of: scalar) where !BertCharacterClass.isNonspacingMark(part.value) {
                        appendCased(part, to: &output)
                    }
                }
            } else {
                var segmentStart = index
                for position in index..<runEnd where Self.isUnknownToReferenceNormalization(scalars[position]) {
                    decompose(scalars[segmentStart..<position], into: &output)
                    appendCased(scalars[position], to: &output)
                    segmentStart = position + 1
                }
                decompose(scalars[segmentStart..<runEnd], into: &output)
            }
            index = runEnd
        }
    }

    /// Foundation's NFD of `scalars`, without nonspacing marks, lowercased, appended to `output`.
    private func decompose(_ scalars: ArraySlice<Unicode.Scalar>, into output: inout [Unicode.Scalar]) {
        guard !scalars.isEmpty else { return }
        // Most runs (Cyrillic, Greek, CJK, emoji) have nothing to decompose and no two adjacent
        // combining marks to reorder: they only lose their marks, without a trip through Foundation.
        var needsDecomposition = false
        var previousIsCombining = false
        for scalar in scalars {
            if BertCharacterClass.isDecomposable(scalar.value) {
                needsDecomposition = true
                break
            }
            let isCombining = scalar.value >= 0x300
                && scalar.properties.canonicalCombiningClass != .notReordered
            if isCombining && previousIsCombining {
                needsDecomposition = true
                break
            }
            previousIsCombining = isCombining
        }
        guard needsDecomposition else {
            for scalar in scalars where !BertCharacterClass.isNonspacingMark(scalar.value) {
                appendCased(scalar, to: &output)
            }
            return
        }
        var utf8: [UInt8] = []
        for scalar in scalars { UTF8.encode(scalar) { utf8.append($0) } }
        let decomposed = String(decoding: utf8, as: UTF8.self).decomposedStringWithCanonicalMapping
        for part in decomposed.unicodeScalars where !BertCharacterClass.isNonspacingMark(part.value) {
            appendCased(part, to: &output)
        }
    }

    /// The reference decomposes with Unicode 9.0 data: a scalar assigned later (U+11938, which Unicode
    /// 13 decomposes; the marks of Unicode 10 and later, which Swift reorders) is to it an unassigned
    /// starter that NFD leaves alone. Found by comparing the two on every scalar; see
    /// `BertNormalizerTests`.
    private static func isUnknownToReferenceNormalization(_ scalar: Unicode.Scalar) -> Bool {
        guard let age = scalar.properties.age else { return true }
        return age.major > 9
    }

    /// Canonical decompositions of U+00C0..<U+0370, taken once from Foundation's NFD.
    private static let latinDecompositions: [[Unicode.Scalar]] = (0xC0..<0x370).map { value in
        guard let scalar = Unicode.Scalar(UInt32(value)) else { return [] }
        return Array(String(Character(scalar)).decomposedStringWithCanonicalMapping.unicodeScalars)
    }

    private static func latinDecomposition(of scalar: Unicode.Scalar) -> ArraySlice<Unicode.Scalar> {
        let value = Int(scalar.value)
        guard value >= 0xC0 else { return [scalar][...] }
        return latinDecompositions[value - 0xC0][...]
    }

    @inline(__always)
    private func appendCased(_ scalar: Unicode.Scalar, to output: inout [Unicode.Scalar]) {
        guard lowercase else {
            output.append(scalar)
            return
        }
        if scalar.isASCII {
            let value = scalar.value
            output.append((0x41...0x5A).contains(value) ? Unicode.Scalar(UInt8(value + 0x20)) : scalar)
        } else if scalar.properties.changesWhenLowercased {
            output.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
        } else {
            output.append(scalar)
        }
    }
}
