import Foundation
import GeoRaster

/// An option a command accepts.
struct OptionSpec {
    enum Kind {
        /// A boolean switch, such as `--json`.
        case flag
        /// An option given at most once, such as `--size 512`.
        case single
        /// An option that may be given many times, such as `--pair A=B`.
        case repeated
    }

    /// The name with its dashes, such as `--size`.
    let name: String
    let kind: Kind
    /// The placeholder in help text, such as `N`.
    let valueName: String
    /// The help line: what the option sets, and in what unit.
    let help: String

    init(_ name: String, _ kind: Kind = .single, value valueName: String = "", help: String) {
        self.name = name
        self.kind = kind
        self.valueName = valueName
        self.help = help
    }
}

/// A subcommand's name, options and help text.
struct CommandSpec {
    let name: String
    /// One line for `shoreline --help`.
    let summary: String
    /// The usage line after `shoreline <name>`, such as `SCENE [--json]`.
    let usage: String
    /// Paragraphs shown after the usage line.
    let discussion: String
    let options: [OptionSpec]

    /// The `--help` text.
    var helpText: String {
        var text = "USAGE: shoreline \(name) \(usage)\n\n\(summary)\n"
        if !discussion.isEmpty { text += "\n\(discussion)\n" }
        text += "\nOPTIONS:\n"
        let rows = options.map { option in
            (option.name + (option.valueName.isEmpty ? "" : " " + option.valueName), option.help)
        } + [("-h, --help", "show this help")]
        let width = rows.map(\.0.count).max() ?? 0
        for (left, right) in rows {
            text += "  " + left.padding(toLength: width + 2, withPad: " ", startingAt: 0) + right + "\n"
        }
        return text
    }
}

/// A command-line mistake: printed as one `error:` line, exit code 2.
struct UsageError: Error, CustomStringConvertible {
    let description: String
}

/// The result of parsing a command's arguments.
struct ParsedArguments {
    let command: CommandSpec
    var values: [String: [String]] = [:]
    var flags: Set<String> = []
    var positionals: [String] = []
    /// Whether `-h` or `--help` was given.
    var wantsHelp = false

    /// Parses arguments: `--name value`, `--name=value`, flags, repeated
    /// options and positionals; `--` ends the options.
    /// - Throws: `UsageError` for an unknown option, a missing value, a value
    ///   given to a flag, or an option given twice that takes one value.
    init(_ arguments: [String], command: CommandSpec) throws {
        self.command = command
        let helpHint = "run 'shoreline \(command.name) --help' for the options"
        var index = 0
        var optionsEnded = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if optionsEnded || !argument.hasPrefix("-") || argument == "-" {
                positionals.append(argument)
                continue
            }
            if argument == "--" {
                optionsEnded = true
                continue
            }
            if argument == "-h" || argument == "--help" {
                wantsHelp = true
                continue
            }
            var name = argument
            var inlineValue: String?
            if let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            guard let option = command.options.first(where: { $0.name == name }) else {
                throw UsageError(description: "unknown option '\(name)'; \(helpHint)")
            }
            switch option.kind {
            case .flag:
                guard inlineValue == nil else {
                    throw UsageError(description: "option '\(name)' takes no value, got '\(inlineValue!)'; \(helpHint)")
                }
                guard !flags.contains(name) else {
                    throw UsageError(description: "option '\(name)' is given twice; give it once (\(helpHint))")
                }
                flags.insert(name)
            case .single, .repeated:
                let value: String
                if let inlineValue {
                    value = inlineValue
                } else if index < arguments.count, !arguments[index].hasPrefix("--") {
                    value = arguments[index]
                    index += 1
                } else {
                    throw UsageError(description: "option '\(name)' needs a value (\(option.valueName)); \(helpHint)")
                }
                if option.kind == .single, values[name] != nil {
                    throw UsageError(description: "option '\(name)' is given twice; give it once (\(helpHint))")
                }
                values[name, default: []].append(value)
            }
        }
    }

    func flag(_ name: String) -> Bool {
        flags.contains(name)
    }

    func string(_ name: String) -> String? {
        values[name]?.last
    }

    func strings(_ name: String) -> [String] {
        values[name] ?? []
    }

    /// Returns a required option's value.
    func required(_ name: String) throws -> String {
        guard let value = string(name) else {
            let option = command.options.first { $0.name == name }
            throw UsageError(description: "option '\(name) \(option?.valueName ?? "")' is required; run 'shoreline \(command.name) --help' for the options")
        }
        return value
    }

    /// Returns an integer option in `range`, or `defaultValue` when absent.
    func integer(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = string(name) else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw UsageError(description: "option '\(name)' needs a whole number from \(range.lowerBound) to \(range.upperBound), got '\(text)'; run 'shoreline \(command.name) --help'")
        }
        return value
    }

    /// Returns a decimal option in `range`, or `defaultValue` when absent.
    func decimal(_ name: String, default defaultValue: Double, in range: ClosedRange<Double>) throws -> Double {
        guard let text = string(name) else { return defaultValue }
        guard let value = Double(text), range.contains(value) else {
            throw UsageError(description: "option '\(name)' needs a number from \(range.lowerBound) to \(range.upperBound), got '\(text)'; run 'shoreline \(command.name) --help'")
        }
        return value
    }

    /// Returns a comma-separated list of band names, or nil when absent.
    /// - Throws: `UsageError` for an empty item or a band named twice, in
    ///   any spelling (`B8` and `b08` are one band).
    func bandNames(_ name: String) throws -> [String]? {
        guard let names = try list(name) else { return nil }
        var seen = Set<String>()
        for band in names {
            let canonical = Sentinel2Bands.canonicalName(band) ?? band
            guard seen.insert(canonical).inserted else {
                throw UsageError(description: "option '\(name)' names band '\(canonical)' twice in '\(names.joined(separator: ","))'; name each band once, in file order")
            }
        }
        return names
    }

    /// Returns a comma-separated list option, or nil when absent.
    func list(_ name: String) throws -> [String]? {
        guard let text = string(name) else { return nil }
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard !items.contains("") else {
            throw UsageError(description: "option '\(name)' has an empty item in '\(text)'; separate names with single commas, such as B11,B8,B3")
        }
        return items
    }
}
