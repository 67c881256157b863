import CFuzzDriver
import Clustering
import Foundation

/// A run folder in memory-backed storage whose config.json each input replaces.
let runFolder = URL(fileURLWithPath: "/dev/shm").appendingPathComponent("shoreline-fuzz-run-\(getpid())")
try? FileManager.default.createDirectory(at: runFolder, withIntermediateDirectories: true)

/// Feeds arbitrary bytes as a run's config.json to the reader that
/// `shoreline segment` and `train --resume` use. It must throw
/// `ClusteringError` or return a configuration whose values pass its checks.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRunConfiguration(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start else { return 0 }
    let data = Data(bytes: start, count: count)
    guard (try? data.write(to: runFolder.appendingPathComponent(RunConfiguration.fileName))) != nil else {
        fatalError("cannot write the fuzz input to \(runFolder.path)")
    }
    do {
        let configuration = try RunConfiguration.read(run: runFolder)
        guard configuration.bands.count == configuration.statistics.standardDeviations.count,
              configuration.statistics.standardDeviations.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            fatalError("a configuration with unusable statistics was accepted")
        }
    } catch is ClusteringError {
        return 0
    } catch {
        fatalError("unexpected error type: \(error)")
    }
    return 0
}

var argumentCount = CommandLine.argc
var argumentValues: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argumentCount, &argumentValues) { fuzzRunConfiguration($0, $1) })
