import Foundation
import Testing
import GeoRaster
import TestSupport

/// `shoreline tile` stopped by a signal, run as its own process.
@Suite struct InterruptionTests {
    let scratch = try! ScratchFolder(prefix: "cli-signal")

    /// The `shoreline` executable that the test build puts beside the test bundle.
    static let executable = URL(fileURLWithPath: CommandLine.arguments[0])
        .deletingLastPathComponent().appendingPathComponent("shoreline")

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: executable.path), "needs the built shoreline executable"),
          arguments: [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")])
    func signalStopsTilingCleanly(signal: Int32, name: String) throws {
        let scene = try writeScene(scratch.file("big.tif"), width: 1024, height: 1024, bandNames: ["B3", "B8"]) { band, row, column in
            UInt16(truncatingIfNeeded: 1 + band * 7919 + row * 977 + column * 131)
        }
        let output = scratch.file("out")
        let process = Process()
        process.executableURL = InterruptionTests.executable
        process.arguments = ["tile", scene.path, "--output", output.path, "--size", "32"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = Pipe()
        try process.run()

        // Wait for the first tile, so the signal lands while tiles are written.
        let images = output.appendingPathComponent("images").path
        let deadline = Date().addingTimeInterval(30)
        while ((try? FileManager.default.contentsOfDirectory(atPath: images)) ?? []).filter({ !$0.hasPrefix(".") }).isEmpty,
              process.isRunning, Date() < deadline {
            usleep(20_000)
        }
        kill(process.processIdentifier, signal)
        let diagnostics = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()

        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 128 + signal)
        let lines = diagnostics.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).map(String.init)
        #expect(lines.last == "error: interrupted by \(name); finished tiles are kept and partial files removed, so run the same command again to resume")
        #expect(try FileManager.default.contentsOfDirectory(atPath: images).filter { $0.hasPrefix(".") }.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("manifest.csv").path))
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("parts/big.csv").path))
    }
}
