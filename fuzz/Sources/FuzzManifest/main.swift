import CFuzzDriver
import Foundation
import Tiling

/// Feeds arbitrary text to the manifest parser. It must throw
/// `TilingError` or return rows; rows it returns must come back unchanged
/// from their own CSV.
// libFuzzer links against this name even when started through its driver.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzManifest(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start else { return 0 }
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    guard let rows = try? Manifest.rows(parsing: text, source: "fuzz.csv") else { return 0 }

    // The CSV rounds fractions to 6 decimals, so compare the second trip.
    let first: [ManifestRow]
    do {
        first = try Manifest.rows(parsing: Manifest.csv(rows), source: "first.csv")
    } catch {
        fatalError("accepted rows do not parse from their own CSV: \(error)")
    }
    guard first.count == rows.count,
          let second = try? Manifest.rows(parsing: Manifest.csv(first), source: "second.csv"), second == first else {
        fatalError("rows changed on a write and read")
    }
    return 0
}

var argumentCount = CommandLine.argc
var argumentValues: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argumentCount, &argumentValues) { fuzzManifest($0, $1) })
