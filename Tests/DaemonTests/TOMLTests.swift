import Testing
@testable import Daemon

@Suite struct TOMLTests {
    @Test func parsesScalarsTablesAndArrays() throws {
        let table = try TOMLParser.parse(
            """
            # comment
            name = "sotto" # trailing comment
            literal = 'C:\\path'
            count = 1_000
            hex = 0xff
            ratio = 0.5
            big = 1e3
            on = true
            off = false
            list = [ "a", 'b',
              # comment inside
              "c", ]
            [index]
            debounce_ms = 250
            [a.b]
            c = 1
            [[roots]]
            path = "~/x"
            [[roots]]
            path = "/y"
            exclude = ["*.log"]
            """)
        #expect(table["name"] == .string("sotto"))
        #expect(table["literal"] == .string("C:\\path"))
        #expect(table["count"] == .integer(1000))
        #expect(table["hex"] == .integer(255))
        #expect(table["ratio"] == .float(0.5))
        #expect(table["big"] == .float(1000))
        #expect(table["on"] == .bool(true))
        #expect(table["off"] == .bool(false))
        #expect(table["list"] == .array([.string("a"), .string("b"), .string("c")]))
        #expect(table["index"] == .table(["debounce_ms": .integer(250)]))
        #expect(table["a"] == .table(["b": .table(["c": .integer(1)])]))
        #expect(table["roots"] == .array([.table(["path": .string("~/x")]), .table(["path": .string("/y"), "exclude": .array([.string("*.log")])])]))
    }

    @Test func parsesStringEscapesAndMultilineStrings() throws {
        let table = try TOMLParser.parse(
            "a = \"tab\\there \\\"q\\\" \\u00e9\"\nb = \"\"\"\nline1\nline2\"\"\"\nc = '''\nraw \\n'''\nd = \"\"\"one \\\n    two\"\"\"\n")
        #expect(table["a"] == .string("tab\there \"q\" é"))
        #expect(table["b"] == .string("line1\nline2"))
        #expect(table["c"] == .string("raw \\n"))
        #expect(table["d"] == .string("one two"))
    }

    @Test func parsesDottedQuotedKeysAndInlineTables() throws {
        let table = try TOMLParser.parse("a.b = 1\n\"quoted key\" = 2\npoint = { x = 1, y = 2 }\n")
        #expect(table["a"] == .table(["b": .integer(1)]))
        #expect(table["quoted key"] == .integer(2))
        #expect(table["point"] == .table(["x": .integer(1), "y": .integer(2)]))
    }

    @Test(arguments: [
        ("a = 1\na = 2\n", 2),
        ("[t]\n[t]\n", 2),
        ("a = \"unterminated\n", 1),
        ("a = bare\n", 1),
        ("a = 1 b = 2\n", 1),
        ("a = [1, 2\n", 2),
        ("x = 1\n\n= 3\n", 3),
        ("a = 007\n", 1),
        ("d = 2024-01-01\n", 1),
        ("a = \"\\q\"\n", 1),
    ])
    func reportsErrorsWithLineNumbers(text: String, line: Int) {
        do {
            _ = try TOMLParser.parse(text)
            Issue.record("expected an error for \(text.debugDescription)")
        } catch {
            #expect(error.line == line, "\(error.description)")
            #expect(!error.message.isEmpty)
        }
    }

    @Test func parsesTheShippedConfigurationFile() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../etc/sotto/sottod.toml")
        let text = try String(contentsOf: url, encoding: .utf8)
        let table = try TOMLParser.parse(text)
        #expect(table["index"] == .table([:]))
        #expect(table["server"] == .table([:]))
    }

    @Test func parsesTheShippedConfigurationFileUncommented() throws {
        // Every documented setting, uncommented, must be valid and mean its documented default.
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../etc/sotto/sottod.toml")
        let text = try String(contentsOf: url, encoding: .utf8)
        let uncommented = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let trimmed = line.drop { $0 == " " }
            if trimmed.hasPrefix("# ") {
                let rest = trimmed.dropFirst(2)
                let key = rest.prefix { $0.isLowercase || $0 == "_" }
                if (!key.isEmpty && rest.dropFirst(key.count).hasPrefix(" = ")) || rest.hasPrefix("[[") { return String(rest) }
            }
            return String(line)
        }.joined(separator: "\n")
        let table = try TOMLParser.parse(uncommented)
        #expect(table["log_level"] == .string("info"))
        guard case .table(let index)? = table["index"] else {
            Issue.record("no [index] table")
            return
        }
        #expect(index["debounce_ms"] == TOMLValue.integer(500))
    }
}

import Foundation
