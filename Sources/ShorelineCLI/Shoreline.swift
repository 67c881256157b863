import Foundation
import GeoRaster

/// The `shoreline` command line: parses arguments, runs a subcommand and
/// returns the process exit code.
public enum Shoreline {
    /// Process exit codes.
    public enum ExitCode: Int32 {
        case success = 0
        /// A runtime failure: bad input data, a failed read or write.
        case failure = 1
        /// A command-line mistake: unknown command or option, bad value.
        case usage = 2
        /// The command finished but left inputs out (`tile --on-error skip`).
        case scenesFailed = 3
    }

    static let version = "0.1.0"

    typealias Run = (ParsedArguments, Console) throws -> Void

    static let commands: [(spec: CommandSpec, run: Run)] = [
        (InfoCommand.spec, InfoCommand.run),
        (TileCommand.spec, TileCommand.run),
        (MergeManifestsCommand.spec, MergeManifestsCommand.run),
        (TrainCommand.spec, TrainCommand.run),
    ]

    /// Runs the command line given without the program name.
    /// - Parameter console: where results and logs go; by default standard
    ///   output and standard error.
    /// - Returns: the exit code (see `ExitCode`), or 128 + the signal number
    ///   after SIGINT or SIGTERM. With no arguments, the help goes to
    ///   standard error and the exit code is 2.
    public static func main(arguments: [String], console: Console = .standard) -> Int32 {
        GDALLibrary.registerDrivers()
        let logger = console.logger
        guard let first = arguments.first else {
            console.writeDiagnostic(usage, true)
            return ExitCode.usage.rawValue
        }
        if first == "--help" || first == "-h" {
            console.print(usage)
            return ExitCode.success.rawValue
        }
        if first == "--version" {
            console.print("shoreline \(version) (GDAL \(GDALLibrary.version))")
            return ExitCode.success.rawValue
        }
        guard let command = commands.first(where: { $0.spec.name == first }) else {
            logger.error("unknown command '\(first)'; run 'shoreline --help' for the list of commands")
            return ExitCode.usage.rawValue
        }

        do {
            let parsed = try ParsedArguments(Array(arguments.dropFirst()), command: command.spec)
            if parsed.wantsHelp {
                console.print(String(command.spec.helpText.dropLast()))
                return ExitCode.success.rawValue
            }
            try command.run(parsed, console)
            return ExitCode.success.rawValue
        } catch let error as UsageError {
            logger.error(error.description)
            return ExitCode.usage.rawValue
        } catch let error as ScenesFailed {
            logger.error(error.description)
            return ExitCode.scenesFailed.rawValue
        } catch let error as Interrupted {
            logger.error(error.description)
            return 128 + error.signal
        } catch {
            logger.error(String(describing: error))
            return ExitCode.failure.rawValue
        }
    }

    static var usage: String {
        var text = """
            USAGE: shoreline <command> [options]

            Finds water in Sentinel-2 imagery without labels.

            COMMANDS:

            """
        let width = commands.map(\.spec.name.count).max() ?? 0
        for command in commands {
            text += "  " + command.spec.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + command.spec.summary + "\n"
        }
        text += """

            Run 'shoreline <command> --help' for a command's options; 'shoreline --version' prints the version.
            """
        return text
    }
}
