import CLibBPF
import Foundation

/// A BPF ELF object opened with libbpf: its programs and maps, loaded into the kernel on demand.
public final class BPFObject {
    let handle: OpaquePointer
    public private(set) var isLoaded = false
    /// The verifier's log for each program, kept when loading fails (or always, with `keepLogs`).
    private var logBuffers: [String: UnsafeMutablePointer<CChar>] = [:]
    private static let logSize = 1 << 20

    /// Opens `path` without loading anything; fails with libbpf's reason.
    public init(path: String) throws {
        meshtrace_libbpf_silence()
        guard let object = bpf_object__open_file(path, nil) else {
            throw BPFError.open(path: path, errno: errno)
        }
        handle = object
    }

    deinit {
        bpf_object__close(handle)
        for buffer in logBuffers.values { buffer.deallocate() }
    }

    public var programs: [BPFProgram] {
        var result: [BPFProgram] = []
        var program = bpf_object__next_program(handle, nil)
        while let current = program {
            result.append(BPFProgram(handle: current, object: self))
            program = bpf_object__next_program(handle, current)
        }
        return result
    }

    public func program(named name: String) -> BPFProgram? {
        bpf_object__find_program_by_name(handle, name).map { BPFProgram(handle: $0, object: self) }
    }

    public func map(named name: String) -> BPFMap? {
        bpf_object__find_map_by_name(handle, name).map { BPFMap(handle: $0) }
    }

    /// Loads every program and map. A verifier rejection names the program and the tail of its log.
    public func load() throws {
        for program in programs {
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: Self.logSize)
            buffer[0] = 0
            logBuffers[program.name] = buffer
            bpf_program__set_log_buf(program.handle, buffer, Self.logSize)
            bpf_program__set_log_level(program.handle, 1)
        }
        let status = bpf_object__load(handle)
        guard status == 0 else {
            let failed = programs.first { $0.fd < 0 && !(verifierLog(for: $0.name) ?? "").isEmpty }
            throw BPFError.load(program: failed?.name, errno: -status, log: failed.flatMap { verifierLog(for: $0.name) } ?? "")
        }
        isLoaded = true
    }

    func verifierLog(for program: String) -> String? {
        logBuffers[program].map { String(cString: $0) }
    }
}

public enum BPFError: Error, CustomStringConvertible, Equatable {
    case open(path: String, errno: Int32)
    case load(program: String?, errno: Int32, log: String)
    case system(operation: String, errno: Int32)

    public var description: String {
        switch self {
        case .open(let path, let code):
            "cannot open BPF object '\(path)': \(String(cString: strerror(code)))"
        case .load(let program, let code, let log):
            "the kernel rejected program '\(program ?? "?")' (\(String(cString: strerror(code)))); verifier log tail:\n"
                + log.split(separator: "\n").suffix(20).joined(separator: "\n")
        case .system(let operation, let code):
            "\(operation) failed: \(String(cString: strerror(code)))"
        }
    }
}
