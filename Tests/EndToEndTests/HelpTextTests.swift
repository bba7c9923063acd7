import Foundation
import Testing

/// `--help` is the first documentation a person reads: it must describe the command they can run.
@Suite struct HelpTextTests {
    static let sottoCommands: [[String]] = [
        [], ["status"], ["sources"], ["sources", "add"], ["sources", "remove"], ["sources", "list"], ["index"],
        ["search"], ["ask"], ["chat"], ["documents"], ["socket"],
    ]

    /// The long options listed under OPTIONS (`  --json`, `  -h, --help`, `  --socket <path>`).
    static func declaredOptions(in help: String) -> Set<String> {
        var declared: Set<String> = []
        var inOptions = false
        for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasSuffix(":") && !line.hasPrefix(" ") { inOptions = line.hasPrefix("OPTIONS") }
            guard inOptions else { continue }
            let trimmed = line.drop { $0 == " " }
            guard trimmed.hasPrefix("-"), line.count - trimmed.count <= 4 else { continue }
            for word in trimmed.split(separator: " ").prefix(3) {
                let name = word.trimmingCharacters(in: CharacterSet(charactersIn: ","))
                if name.hasPrefix("--") { declared.insert(name) }
            }
        }
        return declared
    }

    /// Every `--option` the help text mentions anywhere (abstract, discussion, option help).
    static func mentionedOptions(in help: String) -> Set<String> {
        var mentioned: Set<String> = []
        var scanner = help[...]
        while let range = scanner.range(of: "--") {
            let name = scanner[range.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" }
            if let first = name.first, first.isLetter { mentioned.insert("--" + name) }
            scanner = scanner[range.upperBound...]
        }
        return mentioned
    }

    @Test("every option a sotto help text mentions is one the command takes", arguments: sottoCommands)
    func sottoHelpMentionsOnlyItsOwnOptions(command: [String]) throws {
        let help = try DaemonHarness.run(DaemonHarness.sotto, command + ["--help"])
        #expect(help.status == 0, "\(help.err)")
        let declared = Self.declaredOptions(in: help.out)
        #expect(declared.contains("--help"), "no OPTIONS section parsed in:\n\(help.out)")
        // Known exceptions: curl's option in a quoted curl line, and `sotto --socket S cmd`, which
        // `sotto` moves to the subcommand (the top level mentions it without declaring it).
        let allowed: Set<String> = command.isEmpty ? ["--unix-socket", "--socket"] : ["--unix-socket"]
        let foreign = Self.mentionedOptions(in: help.out).subtracting(declared).subtracting(allowed)
        #expect(foreign.isEmpty, "sotto \(command.joined(separator: " ")) --help mentions \(foreign.sorted()):\n\(help.out)")
    }

    @Test func chatHelpDoesNotOfferStreamingChoicesItLacks() throws {
        let chat = try DaemonHarness.run(DaemonHarness.sotto, ["chat", "--help"])
        #expect(!chat.out.contains("--no-stream"), "\(chat.out)")
        let ask = try DaemonHarness.run(DaemonHarness.sotto, ["ask", "--help"])
        #expect(ask.out.contains("--no-stream"))
    }

    /// The daemon runs with no subcommand; the usage line must not demand one.
    @Test func sottodUsageRunsTheDaemonWithoutASubcommand() throws {
        let help = try DaemonHarness.run(DaemonHarness.sottod, ["--help"])
        #expect(help.status == 0)
        let lines = help.out.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let usage = try #require(lines.first { $0.hasPrefix("USAGE:") }, "\(help.out)")
        #expect(usage.hasPrefix("USAGE: sottod [--config <file>]"), "\(usage)")
        #expect(!usage.contains("<subcommand>"), "\(usage)")
        #expect(lines.contains("sottod <subcommand> [<options>]"), "\(help.out)")
        #expect(help.out.contains("With no subcommand, runs the daemon"))
        let foreign = Self.mentionedOptions(in: help.out).subtracting(Self.declaredOptions(in: help.out))
        #expect(foreign.isEmpty, "\(foreign.sorted())")
    }

    @Test func theOptionScannersFindWhatTheyShould() {
        let help = """
            OVERVIEW: x (--fake-option; --2 is no option)

            USAGE: x [--json]

            OPTIONS:
              --json                  Print JSON.
              -h, --help              Show help information.
              --socket <path>         The socket; see also --other.

            """
        #expect(Self.declaredOptions(in: help) == ["--json", "--help", "--socket"])
        #expect(Self.mentionedOptions(in: help) == ["--fake-option", "--json", "--help", "--socket", "--other"])
    }
}
