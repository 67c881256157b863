import CFuzzDriver
import Foundation
@testable import ShorelineCLI
import Tiling

/// Feeds arbitrary argument lists (the input split at zero bytes) to every
/// command's parser and to the value parsers the commands use. They must
/// throw or return, never trap.
// libFuzzer links against this name even when started through its driver.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzArguments(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    let arguments = bytes.split(separator: 0, omittingEmptySubsequences: false).map {
        String(decoding: $0, as: UTF8.self)
    }
    for command in Shoreline.commands {
        guard let parsed = try? ParsedArguments(arguments, command: command.spec) else { continue }
        for option in command.spec.options {
            _ = try? parsed.integer(option.name, default: 0, in: 0...16384)
            _ = try? parsed.decimal(option.name, default: 0, in: 0...1)
            _ = try? parsed.list(option.name)
            _ = parsed.strings(option.name)
        }
    }
    for argument in arguments {
        _ = try? Shard(parsing: argument)
        _ = try? LabelCodes(parsing: argument)
        _ = PairingRule(parsing: argument)
    }
    return 0
}

var argumentCount = CommandLine.argc
var argumentValues: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argumentCount, &argumentValues) { fuzzArguments($0, $1) })
