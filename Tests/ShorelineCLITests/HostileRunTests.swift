import Foundation
import Testing
import GeoRaster
import TestSupport
import Tiling
@testable import ShorelineCLI

/// A small trained run and a scene to segment, made once for these tests;
/// each test edits its own copy.
final class TrainedRunFixture: @unchecked Sendable {
    static let shared = try! TrainedRunFixture()

    let scratch: ScratchFolder
    let scene: String
    let run: URL

    init() throws {
        scratch = try ScratchFolder(prefix: "hostile-run")
        try FileManager.default.createDirectory(at: scratch.file("scenes"), withIntermediateDirectories: true)
        scene = try writeScene(scratch.file("scenes/pond.tif"), width: 40, height: 40, bandNames: ["B3", "B8", "B11"]) { band, row, column in
            UInt16(300 + band * 200 + (row * 7 + column * 3) % 50 + (column < 20 ? 0 : 1500))
        }.path
        run = scratch.file("run")
        let result = runShoreline(["train", "--method", "iic", "--input", scene, "--output", run.path, "--steps", "2",
                                   "--batch", "1", "--crop", "16", "--width", "4", "--overclusters", "0",
                                   "--checkpoint-every", "1"])
        guard result.exitCode == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    /// Copies the run into `folder/run` and returns the copy.
    func copy(into folder: URL) throws -> URL {
        let copy = folder.appendingPathComponent("run")
        try FileManager.default.copyItem(at: run, to: copy)
        return copy
    }
}

/// A run folder damaged on disk, and the error `segment` gives for it.
struct DamagedRun: CustomStringConvertible, Sendable {
    let description: String
    /// Damages the run copy in place.
    let damage: @Sendable (URL) throws -> Void
    /// The error line; `{run}` stands for the run folder and `*` for any
    /// text, such as checksums that change when the network does.
    let error: String

    /// Replaces `old` with `new` in the run's config.json.
    static func editConfiguration(_ description: String, _ old: String, _ new: String, error: String) -> DamagedRun {
        DamagedRun(description: description, damage: { run in
            let url = run.appendingPathComponent("config.json")
            let text = try String(contentsOf: url, encoding: .utf8)
            guard text.contains(old) else { throw CocoaError(.fileReadCorruptFile) }
            try text.replacingOccurrences(of: old, with: new).write(to: url, atomically: true, encoding: .utf8)
        }, error: error)
    }

    static let cases: [DamagedRun] = [
        DamagedRun(description: "config cut short", damage: { run in
            let url = run.appendingPathComponent("config.json")
            try Data(try Data(contentsOf: url).prefix(40)).write(to: url)
        }, error: "error: run '{run}' cannot be loaded: config.json is malformed: it is not valid JSON, or a number in it does not fit its key (a fraction where a whole number belongs)"),
        DamagedRun(description: "config missing", damage: { run in
            try FileManager.default.removeItem(at: run.appendingPathComponent("config.json"))
        }, error: "error: run '{run}' cannot be loaded: it has no readable config.json; give the folder that 'shoreline train --output' wrote"),
        editConfiguration("config without its method", "\"method\" : \"iic\",", "",
                          error: "error: run '{run}' cannot be loaded: config.json is malformed: key 'method' is missing"),
        editConfiguration("config with a string for a number", "\"width\" : 4", "\"width\" : \"4\"",
                          error: "error: run '{run}' cannot be loaded: config.json is malformed: key 'iic.width' is not of type Int"),
        editConfiguration("config with a word for sub-heads", "\"sub_heads\" : 5", "\"sub_heads\" : \"five\"",
                          error: "error: run '{run}' cannot be loaded: config.json is malformed: key 'iic.sub_heads' is not of type Int"),
        editConfiguration("config with another sub-head count", "\"sub_heads\" : 5", "\"sub_heads\" : 2",
                          error: "error: run '{run}' cannot be loaded: config.json does not match checkpoint '{run}/checkpoints/final.safetensors': tensors * differ; restore the config.json that training wrote"),
        editConfiguration("config with a huge width", "\"width\" : 4", "\"width\" : 1000000",
                          error: "error: run '{run}' cannot be loaded: config.json is malformed: key 'iic.width' is '1000000', expected 1 to 1024"),
        editConfiguration("config with negative clusters", "\"clusters\" : 3", "\"clusters\" : -3",
                          error: "error: run '{run}' cannot be loaded: config.json is malformed: key 'iic.clusters' is '-3', expected 2 to 256"),
        editConfiguration("config with another band count", "\"bands\" : [\n    \"B3\",", "\"bands\" : [\n    \"B2\",\n    \"B3\",",
                          error: "error: run '{run}' cannot be loaded: config.json is malformed: key 'statistics.bands' is 'B3,B8,B11', expected the bands B2,B3,B8,B11"),
        editConfiguration("unknown method", "\"method\" : \"iic\"", "\"method\" : \"kmeans\"",
                          error: "error: run '{run}' was trained with unknown method 'kmeans'; use a run made by 'shoreline train --method iic'"),
        DamagedRun(description: "checkpoint with a flipped byte", damage: { run in
            let url = run.appendingPathComponent("checkpoints/final.safetensors")
            var bytes = try Data(contentsOf: url)
            bytes[bytes.count - 5] ^= 0x10
            try bytes.write(to: url)
        }, error: "error: checkpoint '{run}/checkpoints/final.safetensors': the data from byte * has CRC-32 * but the header records *; the file is corrupt, so restore it from a copy or save it again"),
        DamagedRun(description: "checkpoint cut short", damage: { run in
            let url = run.appendingPathComponent("checkpoints/final.safetensors")
            let bytes = try Data(contentsOf: url)
            try bytes.prefix(bytes.count - 100).write(to: url)
        }, error: "error: checkpoint '{run}/checkpoints/final.safetensors': tensor '*' ends at byte *, past the end of the *-byte file; the file is truncated, so load an earlier checkpoint or write this one again"),
    ]
}

/// Returns whether `text` equals `pattern`, where each `*` in the pattern
/// stands for any text.
func matches(_ text: String, pattern: String) -> Bool {
    let pieces = pattern.components(separatedBy: "*")
    guard text.hasPrefix(pieces[0]), text.hasSuffix(pieces[pieces.count - 1]) else { return false }
    var rest = text.dropFirst(pieces[0].count)
    for piece in pieces.dropFirst().dropLast() {
        guard let range = rest.range(of: piece) else { return false }
        rest = rest[range.upperBound...]
    }
    return pieces.count == 1 ? text == pattern : rest.count >= pieces[pieces.count - 1].count
}

@Suite struct HostileRunTests {
    @Test(arguments: DamagedRun.cases)
    func segmentDamagedRun(_ damaged: DamagedRun) throws {
        let fixture = TrainedRunFixture.shared
        let scratch = try ScratchFolder(prefix: "damaged-run")
        let run = try fixture.copy(into: scratch.url)
        try damaged.damage(run)

        let output = scratch.file("out")
        let result = runShoreline(["segment", "--model", run.path, "--input", fixture.scene, "--output", output.path])
        #expect(result.exitCode == 1)
        #expect(result.errors.count == 1)
        let pattern = damaged.error.replacingOccurrences(of: "{run}", with: run.path)
        #expect(matches(result.errors.first ?? "", pattern: pattern), "\(result.errors) does not match \(pattern)")
        let written = (try? FileManager.default.contentsOfDirectory(atPath: output.path)) ?? []
        #expect(written.filter { !$0.hasPrefix(".") }.isEmpty, "no output for a damaged run: \(written)")
    }

    @Test func trainStopsAtLock() throws {
        let fixture = TrainedRunFixture.shared
        let scratch = try ScratchFolder(prefix: "train-lock")
        let run = try fixture.copy(into: scratch.url)
        let held = try OutputLock(folder: run.path, name: ".train.lock")
        let logBefore = try Data(contentsOf: run.appendingPathComponent("log.jsonl"))

        let result = runShoreline(["train", "--method", "iic", "--input", fixture.scene, "--output", run.path, "--steps", "3",
                                   "--batch", "1", "--crop", "16", "--width", "4", "--overclusters", "0",
                                   "--checkpoint-every", "1", "--resume"])
        #expect(result.exitCode == 1)
        #expect(result.errors == ["error: output folder '\(run.path)' is in use by another run (lock '\(run.path)/.train.lock' held by process \(getpid())); wait for that run to finish, or choose another --output"])
        #expect(try Data(contentsOf: run.appendingPathComponent("log.jsonl")) == logBefore, "the holder's log is untouched")
        held.release()
    }

    @Test func segmentStopsAtLock() throws {
        let fixture = TrainedRunFixture.shared
        let scratch = try ScratchFolder(prefix: "segment-lock")
        let output = scratch.file("out")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let held = try OutputLock(folder: output.path, name: ".segment.lock")

        let result = runShoreline(["segment", "--model", fixture.run.path, "--input", fixture.scene, "--output", output.path])
        #expect(result.exitCode == 1)
        #expect(result.errors == ["error: output folder '\(output.path)' is in use by another run (lock '\(output.path)/.segment.lock' held by process \(getpid())); wait for that run to finish, or choose another --output"])
        held.release()
        let again = runShoreline(["segment", "--model", fixture.run.path, "--input", fixture.scene, "--output", output.path])
        #expect(again.exitCode == 0, "\(again.diagnostics)")
    }
}
