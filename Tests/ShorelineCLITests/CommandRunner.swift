import Foundation
import GeoRaster
@testable import ShorelineCLI

/// The outcome of one in-process `shoreline` run.
struct CommandResult {
    let exitCode: Int32
    /// Lines written to standard output.
    let output: [String]
    /// Lines written to standard error (logs, progress, errors).
    let diagnostics: [String]

    /// The `error:` lines among the diagnostics.
    var errors: [String] { diagnostics.filter { $0.hasPrefix("error: ") } }
}

/// Runs `shoreline` with a console that collects what it writes.
/// - Parameter logLevel: the level `SHORELINE_LOG_LEVEL` would set.
func runShoreline(_ arguments: [String], logLevel: Logger.Level = .info) -> CommandResult {
    final class Collector: @unchecked Sendable {
        let lock = NSLock()
        var output: [String] = []
        var diagnostics = ""
        func addOutput(_ line: String) { lock.lock(); output.append(line); lock.unlock() }
        func addDiagnostic(_ text: String, _ newline: Bool) { lock.lock(); diagnostics += text + (newline ? "\n" : ""); lock.unlock() }
    }
    let collector = Collector()
    let console = Console(writeResult: { collector.addOutput($0) },
                          writeDiagnostic: { collector.addDiagnostic($0, $1) }, isTerminal: false, logLevel: logLevel)
    let code = Shoreline.main(arguments: arguments, console: console)
    let outputLines = collector.output.flatMap { $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
    let diagnosticLines = collector.diagnostics.split(separator: "\n").map(String.init)
    return CommandResult(exitCode: code, output: outputLines, diagnostics: diagnosticLines)
}

/// Writes a small GeoTIFF scene for CLI tests.
@discardableResult
func writeScene(_ url: URL, width: Int, height: Int, bandNames: [String], nodata: Double? = nil,
                originX: Double = 600_000, value: (Int, Int, Int) -> UInt16) throws -> URL {
    var samples: [UInt16] = []
    for band in bandNames.indices {
        for row in 0..<height {
            for column in 0..<width { samples.append(value(band, row, column)) }
        }
    }
    let transform = GeoTransform(originX: originX, pixelWidth: 20, originY: 5_000_000, pixelHeight: -20)
    try RasterWriter.write(samples: samples, width: width, height: height, bandNames: bandNames,
                           georeference: Georeference(geoTransform: transform, spatialReference: SpatialReference(epsg: 32632)),
                           nodata: nodata, to: url.path)
    return url
}
