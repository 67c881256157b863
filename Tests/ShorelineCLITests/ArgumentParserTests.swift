import Testing
@testable import ShorelineCLI

@Suite struct ArgumentParserTests {
    static let command = CommandSpec(
        name: "demo", summary: "A command for tests.", usage: "INPUT...", discussion: "",
        options: [
            OptionSpec("--size", value: "N", help: "tile side in pixels"),
            OptionSpec("--pair", .repeated, value: "A=B", help: "a pair"),
            OptionSpec("--json", .flag, help: "print JSON"),
        ])

    @Test func valuesInBothSpellings() throws {
        let parsed = try ParsedArguments(["a", "--size", "256", "b", "--pair=x=y", "--pair", "z=w", "--json", "--", "--c"],
                                         command: Self.command)
        #expect(parsed.positionals == ["a", "b", "--c"])
        #expect(parsed.string("--size") == "256")
        #expect(parsed.strings("--pair") == ["x=y", "z=w"])
        #expect(parsed.flag("--json"))
        #expect(try parsed.integer("--size", default: 512, in: 1...1024) == 256)
    }

    @Test(arguments: [
        (["--sise", "3"], "unknown option '--sise'; run 'shoreline demo --help' for the options"),
        (["--size", "1", "--size", "2"], "option '--size' is given twice; give it once (run 'shoreline demo --help' for the options)"),
        (["--size"], "option '--size' needs a value (N); run 'shoreline demo --help' for the options"),
        (["--size", "--json"], "option '--size' needs a value (N); run 'shoreline demo --help' for the options"),
        (["--json=yes"], "option '--json' takes no value, got 'yes'; run 'shoreline demo --help' for the options"),
        (["--json", "--json"], "option '--json' is given twice; give it once (run 'shoreline demo --help' for the options)"),
    ])
    func usageErrorMessages(arguments: [String], message: String) {
        let error = #expect(throws: UsageError.self) { try ParsedArguments(arguments, command: Self.command) }
        #expect(error?.description == message)
    }

    @Test(arguments: ["x", "0", "2000", "1.5"])
    func integerOutOfRange(text: String) throws {
        let parsed = try ParsedArguments(["--size", text], command: Self.command)
        let error = #expect(throws: UsageError.self) { try parsed.integer("--size", default: 512, in: 1...1024) }
        #expect(error?.description == "option '--size' needs a whole number from 1 to 1024, got '\(text)'; run 'shoreline demo --help'")
    }

    @Test func helpListsEveryOption() {
        let help = Self.command.helpText
        for name in ["--size N", "--pair A=B", "--json", "-h, --help"] {
            #expect(help.contains(name), "help lacks '\(name)'")
        }
    }
}

@Suite struct ProgressBarTests {
    @Test func plainLinesAtEachTenth() {
        final class Lines: @unchecked Sendable { var items: [String] = [] }
        let lines = Lines()
        let bar = ProgressBar(unit: "tiles", isTerminal: false, write: { text, _ in lines.items.append(text) })
        for completed in 1...40 { bar.update(completed: completed, total: 40) }
        bar.finish()
        #expect(lines.items.count == 11, "the first tile, then each tenth")
        #expect(lines.items.last?.hasPrefix("tiles 40/40  ") == true)
        #expect(lines.items.allSatisfy { $0.contains("tiles/s") })
        #expect(lines.items.allSatisfy { $0.contains("ETA ") })
    }

    @Test func terminalRedrawsInPlace() {
        final class Writes: @unchecked Sendable { var items: [(String, Bool)] = [] }
        let writes = Writes()
        let bar = ProgressBar(unit: "tiles", isTerminal: true, write: { writes.items.append(($0, $1)) })
        bar.update(completed: 1, total: 2)
        bar.update(completed: 2, total: 2)
        bar.finish()
        #expect(writes.items.count == 3, "the first update, the last one, then the closing newline")
        #expect(writes.items[0].0.hasPrefix("\r["))
        #expect(writes.items[1].0.contains("tiles 2/2"))
        #expect(writes.items[1].1 == false)
        #expect(writes.items[2] == ("", true))
    }

    @Test(arguments: [(5.0, "0:05"), (65.0, "1:05"), (3725.0, "1:02:05")])
    func clockFormat(seconds: Double, text: String) {
        #expect(ProgressBar.clock(seconds) == text)
    }
}

@Suite struct LoggerTests {
    @Test func levelFiltersMessages() {
        final class Lines: @unchecked Sendable { var items: [String] = [] }
        let lines = Lines()
        let logger = Logger(minimumLevel: .warning, write: { lines.items.append($0) })
        logger.info("tiling 3 scenes")
        logger.warning("label 'x.tif' matches no scene")
        logger.error("scene 'y.tif' not found")
        #expect(lines.items == ["warning: label 'x.tif' matches no scene", "error: scene 'y.tif' not found"])
    }

    @Test(arguments: [("debug", Logger.Level.debug), ("WARNING", .warning), ("error", .error)])
    func levelNames(name: String, level: Logger.Level) {
        #expect(Logger.Level.named(name) == level)
    }

    @Test func unknownLevelName() {
        #expect(Logger.Level.named("loud") == nil)
    }
}
