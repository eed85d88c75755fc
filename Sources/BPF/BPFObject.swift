import CLibBPF
import Foundation

/// A BPF ELF object opened with libbpf: its programs and maps, loaded into the kernel on demand.
public final class BPFObject {
    /// Whether libbpf's own warnings and notes reach stderr (the tools' `-v`); silent otherwise.
    nonisolated(unsafe) public static var showsLibBPFMessages = false

    let handle: OpaquePointer
    let objectPath: String
    /// Enough for the tail of any verifier log (the kernel keeps the tail when it rotates).
    private static let logSize = 16 << 20

    /// Opens `path` without loading anything; fails with libbpf's reason.
    public init(path: String) throws {
        meshtrace_libbpf_messages(Self.showsLibBPFMessages ? 1 : 0)
        guard let object = bpf_object__open_file(path, nil) else {
            throw BPFError.open(path: path, errno: errno)
        }
        handle = object
        objectPath = path
    }

    deinit {
        bpf_object__close(handle)
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

    /// The functions of `.text` (non-inlined functions, callbacks) and which program takes which.
    public func subprograms() throws -> Subprograms {
        guard let bytes = FileManager.default.contents(atPath: objectPath) else {
            throw ELFSections.Failure(description: "\(objectPath) cannot be read")
        }
        return try Subprograms(objectBytes: [UInt8](bytes))
    }

    public func program(named name: String) -> BPFProgram? {
        bpf_object__find_program_by_name(handle, name).map { BPFProgram(handle: $0, object: self) }
    }

    public func map(named name: String) -> BPFMap? {
        bpf_object__find_map_by_name(handle, name).map { BPFMap(handle: $0) }
    }

    /// Loads every program and map. A verifier rejection names the program and the tail of its log.
    public func load() throws {
        let status = bpf_object__load(handle)
        guard status == 0 else {
            throw diagnoseLoadFailure(status: -status)
        }
    }

    /// Loads each program alone in a fresh copy of the object to name the one the kernel rejects,
    /// then loads it once more with a verifier log for its tail. (Logging every load would cost
    /// time, and a log larger than its buffer makes even a good program fail.)
    private func diagnoseLoadFailure(status: Int32) -> BPFError {
        for name in programs.map(\.name) where loadAlone(name, log: nil) != 0 {
            let log = UnsafeMutablePointer<CChar>.allocate(capacity: Self.logSize)
            defer { log.deallocate() }
            log[0] = 0
            let code = loadAlone(name, log: log)
            return .load(program: name, errno: code == 0 || code == -ENOSPC ? status : -code, log: String(cString: log))
        }
        return .load(program: nil, errno: status, log: "")
    }

    private func loadAlone(_ name: String, log: UnsafeMutablePointer<CChar>?) -> Int32 {
        guard let copy = try? BPFObject(path: objectPath) else { return -EINVAL }
        for program in copy.programs {
            bpf_program__set_autoload(program.handle, program.name == name)
            if program.name == name, let log {
                bpf_program__set_log_buf(program.handle, log, Self.logSize)
                bpf_program__set_log_level(program.handle, 1)
            }
        }
        return bpf_object__load(copy.handle)
    }
}

public enum BPFError: Error, CustomStringConvertible, Equatable {
    case open(path: String, errno: Int32)
    case load(program: String?, errno: Int32, log: String)
    case system(operation: String, errno: Int32)
    /// a timing that cannot be taken (BPFProgram.nanosecondsPerRun)
    case timing(program: String, cause: String)
    /// the calling thread cannot be pinned to a CPU (CPUPinning)
    case pinning(cause: String)

    public var description: String {
        switch self {
        case .open(let path, let code):
            "cannot open BPF object '\(path)': \(String(cString: strerror(code)))"
        case .load(let program, let code, let log):
            "the kernel rejected program '\(program ?? "?")' (\(String(cString: strerror(code)))); verifier log tail:\n"
                + log.split(separator: "\n").suffix(20).joined(separator: "\n")
        case .system(let operation, let code):
            "\(operation) failed: \(String(cString: strerror(code)))"
        case .timing(let program, let cause):
            "cannot time program '\(program)': \(cause)"
        case .pinning(let cause):
            "cannot pin the thread to a CPU: \(cause)"
        }
    }
}
