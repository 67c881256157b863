import Foundation
import Testing
import GeoRaster
import TestSupport
@testable import ShorelineCLI

/// How the CLI's diagnostics follow `SHORELINE_LOG_LEVEL` and what the
/// unnamed-band error suggests.
@Suite struct DiagnosticsTests {
    let scratch = try! ScratchFolder(prefix: "cli-diagnostics")

    @Test func errorLevelHidesProgress() throws {
        let path = try writeScene(scratch.file("s.tif"), width: 64, height: 64, bandNames: ["B3", "B8"]) { _, _, _ in 9 }
        let quiet = runShoreline(["tile", path.path, "--output", scratch.file("out").path, "--size", "16"], logLevel: .error)
        #expect(quiet.exitCode == 0)
        #expect(quiet.diagnostics.isEmpty, "\(quiet.diagnostics)")
        let normal = runShoreline(["tile", path.path, "--output", scratch.file("again").path, "--size", "16"])
        #expect(normal.diagnostics.contains { $0.hasPrefix("tiles 16/16") })
    }

    @Test(arguments: [
        ("error", Logger.Level.error, nil),
        ("WARNING", .warning, nil),
        ("", .info, nil),
        ("loud", .info, "SHORELINE_LOG_LEVEL 'loud' is unknown; use debug, info, warning or error (showing info)"),
    ] as [(String, Logger.Level, String?)])
    func logLevelFromEnvironment(name: String, level: Logger.Level, warning: String?) {
        let parsed = Logger.Level.fromEnvironment(name)
        #expect(parsed.level == level)
        #expect(parsed.warning == warning)
    }

    @Test func rgbFileSuggestsRedGreenBlueBands() throws {
        let path = scratch.file("betsiboka.png")
        try RasterWriter.writePNG(rgb: [UInt8](repeating: 80, count: 8 * 8 * 3), width: 8, height: 8, to: path.path)
        let result = runShoreline(["tile", path.path, "--output", scratch.file("out").path])
        #expect(result.exitCode == 1)
        #expect(result.errors == ["error: scene '\(path.path)' has 3 bands without names, and only 13 (Level-1C) and 12 (Level-2A) bands have a preset; the file marks them red, green, blue: declare them with --bands B4,B3,B2"])
    }
}
