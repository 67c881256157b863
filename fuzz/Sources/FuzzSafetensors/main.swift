import CFuzzDriver
import Foundation
import TensorEngine

/// Feeds arbitrary bytes to the safetensors reader. The reader must throw
/// `CheckpointError` or return; a file it accepts must survive a write and
/// a second read with the same names, shapes and bit patterns.
// libFuzzer links against this name even when started through its driver.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensors(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start else { return 0 }
    let data = Data(bytes: start, count: count)
    guard let file = try? SafetensorsFile(data: data) else { return 0 }
    guard let bytes = try? file.encoded() else {
        // Only duplicate names make encoding fail, and JSON objects read by
        // the reader cannot hold two equal keys.
        fatalError("an accepted file cannot be encoded")
    }
    guard let again = try? SafetensorsFile(data: bytes) else {
        fatalError("an encoded file cannot be read back")
    }
    let original = file.arrays.sorted { $0.name < $1.name }
    let reread = again.arrays.sorted { $0.name < $1.name }
    guard original.map(\.name) == reread.map(\.name), original.map(\.shape) == reread.map(\.shape),
          original.map({ $0.values.map(\.bitPattern) }) == reread.map({ $0.values.map(\.bitPattern) }) else {
        fatalError("arrays changed on a write and read")
    }
    return 0
}

var argumentCount = CommandLine.argc
var argumentValues: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argumentCount, &argumentValues) { fuzzSafetensors($0, $1) })
