import Foundation
import GeoRaster
import TensorEngine

/// The rule that combines the heads' losses into the loss of a step.
public enum HeadSchedule: String, Codable, Equatable, Sendable, CaseIterable {
    /// Every step minimises the sum of all heads' losses.
    case summed
    /// Step s minimises the loss of head (s - 1) mod heads alone, so the
    /// heads take turns step by step (the reference alternates per epoch).
    case alternating
}

/// The training settings that do not depend on the method.
public struct TrainingOptions: Codable, Equatable, Sendable {
    /// Tile folders, scene files or folders of scenes.
    public var inputs: [String]
    /// The run folder.
    public var output: String
    /// Input band names, or nil for the default choice (see `TrainingData`).
    public var bands: [String]?
    /// Optimiser steps in total (a resumed run stops at this step too).
    public var steps: Int = 300
    /// Crops per step.
    public var batch: Int = 4
    /// The crop side in pixels (even).
    public var crop: Int = 96
    public var seed: UInt64 = 0
    /// Threads of the compute engine.
    public var threads: Int = 1
    /// Continue the run in `output` from its newest checkpoint.
    public var resume: Bool = false
    /// Steps between checkpoints; the last step always writes one.
    public var checkpointInterval: Int = 100
    /// Adam's learning rate.
    public var learningRate: Float = 5e-4
    public var headSchedule: HeadSchedule = .summed
    /// The scale of the reflectance given to the network, at training and
    /// inference, or nil for the method's `defaultInputScale`. The trainer
    /// stores the scale it used, so a run's `config.json` always names it.
    public var inputScale: InputScale?
    /// Steps in a row with one cluster over 95 % of the pixels before the
    /// collapse warning.
    public var collapsePatience: Int = 50
    /// Batches of crops without jitter over which the final checkpoint's
    /// batch-normalisation statistics are recomputed at the end of training
    /// (see `ClusteringTrainer.recomputeStatistics`); 0 keeps the running
    /// averages of training.
    public var statisticsBatches: Int = 64

    public init(inputs: [String], output: String) {
        self.inputs = inputs
        self.output = output
    }

    /// Decodes options, taking the default for each key a file lacks, so that
    /// runs written before an option existed still load.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        inputs = try container.decode([String].self, forKey: .inputs)
        output = try container.decode(String.self, forKey: .output)
        bands = try container.decodeIfPresent([String].self, forKey: .bands)
        steps = try container.decodeIfPresent(Int.self, forKey: .steps) ?? steps
        batch = try container.decodeIfPresent(Int.self, forKey: .batch) ?? batch
        crop = try container.decodeIfPresent(Int.self, forKey: .crop) ?? crop
        seed = try container.decodeIfPresent(UInt64.self, forKey: .seed) ?? seed
        threads = try container.decodeIfPresent(Int.self, forKey: .threads) ?? threads
        resume = try container.decodeIfPresent(Bool.self, forKey: .resume) ?? resume
        checkpointInterval = try container.decodeIfPresent(Int.self, forKey: .checkpointInterval) ?? checkpointInterval
        learningRate = try container.decodeIfPresent(Float.self, forKey: .learningRate) ?? learningRate
        headSchedule = try container.decodeIfPresent(HeadSchedule.self, forKey: .headSchedule) ?? headSchedule
        // Runs written before the option existed were trained on linear reflectance.
        inputScale = try container.decodeIfPresent(InputScale.self, forKey: .inputScale) ?? .linear
        collapsePatience = try container.decodeIfPresent(Int.self, forKey: .collapsePatience) ?? collapsePatience
        // Runs written before the option existed kept the running averages.
        statisticsBatches = try container.decodeIfPresent(Int.self, forKey: .statisticsBatches) ?? 0
    }
}

/// A run's `config.json`: the method, its settings, the bands and their
/// normalisation statistics, and the training options.
public struct RunConfiguration: Codable, Equatable, Sendable {
    /// The method's name, such as `iic`.
    public var method: String
    /// Input band names, in order.
    public var bands: [String]
    public var statistics: BandStatistics
    public var training: TrainingOptions
    /// IIC's settings, for IIC runs.
    public var iic: IICConfiguration?
    /// InfoSeg's settings, for InfoSeg runs.
    public var infoseg: InfoSegConfiguration?

    public init(method: String, bands: [String], statistics: BandStatistics, training: TrainingOptions) {
        self.method = method
        self.bands = bands
        self.statistics = statistics
        self.training = training
    }

    /// The scale on which the run's network takes reflectance, or linear for
    /// a configuration that names none.
    public var inputScale: InputScale { training.inputScale ?? .linear }

    /// The file name inside a run folder.
    public static let fileName = "config.json"

    /// Reads `run/config.json`.
    /// - Throws: `ClusteringError.invalidRun` when it is missing or malformed.
    public static func read(run: URL) throws -> RunConfiguration {
        let url = run.appendingPathComponent(fileName)
        guard let data = try? Data(contentsOf: url) else {
            throw ClusteringError.invalidRun(run.path, reason: "it has no readable \(fileName); give the folder that 'shoreline train --output' wrote")
        }
        let configuration: RunConfiguration
        do {
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            configuration = try decoder.decode(RunConfiguration.self, from: data)
        } catch let error as DecodingError {
            throw ClusteringError.invalidRun(run.path, reason: "\(fileName) is malformed: \(error.summary)")
        } catch {
            throw ClusteringError.invalidRun(run.path, reason: "\(fileName) is malformed: \(error)")
        }
        try configuration.validate(run: run)
        return configuration
    }

    /// Writes `run/config.json` under a temporary name, then renames it.
    public func write(run: URL) throws {
        let data = try Self.encoder.encode(self)
        try RunFolder.writeAtomically(data, to: run.appendingPathComponent(Self.fileName))
    }

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }

    /// Returns the settings whose values differ from `other`'s, as
    /// `iic.kernel_size 3, not 1` with the dotted names of `config.json`
    /// (this configuration's value first), sorted by name.
    func differences(from other: RunConfiguration) -> [String] {
        func flattened(_ configuration: RunConfiguration) -> [String: String] {
            guard let data = try? Self.encoder.encode(configuration),
                  let object = try? JSONSerialization.jsonObject(with: data) else { return [:] }
            var values: [String: String] = [:]
            func visit(_ value: Any, path: String) {
                if let dictionary = value as? [String: Any] {
                    for (key, child) in dictionary { visit(child, path: path.isEmpty ? key : "\(path).\(key)") }
                } else if let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys]) {
                    values[path] = String(decoding: data, as: UTF8.self)
                }
            }
            visit(object, path: "")
            return values
        }
        let mine = flattened(self), theirs = flattened(other)
        return Set(mine.keys).union(theirs.keys).sorted().compactMap { name in
            let (stored, requested) = (mine[name] ?? "none", theirs[name] ?? "none")
            return stored == requested ? nil : "\(name) \(stored), not \(requested)"
        }
    }
}

/// The files of a run folder:
/// ```
/// RUN/config.json
/// RUN/checkpoints/step-000100.safetensors, ..., final.safetensors
/// RUN/log.jsonl
/// ```
public enum RunFolder {
    public static func checkpoints(_ run: URL) -> URL { run.appendingPathComponent("checkpoints") }
    public static func log(_ run: URL) -> URL { run.appendingPathComponent("log.jsonl") }
    public static func final(_ run: URL) -> URL { checkpoints(run).appendingPathComponent("final.safetensors") }

    /// Returns the checkpoint path of a step, `step-NNNNNN.safetensors`.
    public static func checkpoint(_ run: URL, step: Int) -> URL {
        let digits = String(step)
        return checkpoints(run).appendingPathComponent("step-\(String(repeating: "0", count: max(0, 6 - digits.count)))\(digits).safetensors")
    }

    /// Finds the newest step checkpoint and its step, or nil when there is none.
    public static func newestCheckpoint(_ run: URL) -> (url: URL, step: Int)? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: checkpoints(run).path)) ?? []
        let steps = names.compactMap { name -> Int? in
            guard name.hasPrefix("step-"), name.hasSuffix(".safetensors") else { return nil }
            return Int(name.dropFirst(5).dropLast(12))
        }
        guard let step = steps.max() else { return nil }
        return (checkpoint(run, step: step), step)
    }

    /// Writes data through a temporary file in the same folder, renamed into place.
    static func writeAtomically(_ data: Data, to url: URL) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial-\(UUID().uuidString.prefix(8))")
        do {
            try data.write(to: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw ClusteringError.unwritableOutput(url.path, reason: SafetensorsFile.fileSystemReason(error))
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw ClusteringError.unwritableOutput(url.path, reason: reason)
        }
    }
}
