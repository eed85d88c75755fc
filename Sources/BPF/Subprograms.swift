import CLibBPF

/// Which of `.text`'s functions each program takes at load time, resolved from the object's
/// symbols and relocations as libbpf resolves them (bpf_object__reloc_code, sym_is_subprog): the functions a
/// program reaches through bpf-to-bpf calls and callback addresses, transitively. libbpf appends
/// exactly those to the program, so their instructions and loops count as the program's.
public struct Subprograms {
    /// A function of `.text`, by instruction index.
    public struct Function: Hashable {
        public var name: String
        public var start: Int
        public var count: Int
    }

    public let functions: [Function]
    private let text: [bpf_insn]
    private let textIndex: Int
    private let elf: ELFSections.Table

    public init(objectBytes bytes: [UInt8]) throws {
        elf = try ELFSections.Table(bytes)
        guard let index = elf.sections.firstIndex(where: { $0.name == ".text" }) else {
            functions = []
            text = []
            textIndex = -1
            return
        }
        textIndex = index
        text = Self.instructions(try elf.contents(of: index))
        functions = elf.symbols.filter { $0.section == index && $0.isFunction }
            .map { Function(name: $0.name, start: $0.value / 8, count: $0.size / 8) }
            .sorted { $0.start < $1.start }
    }

    /// The functions the program named `name` (a function symbol of its own section) reaches.
    public func reached(byProgram name: String) throws -> [Function] {
        guard let symbol = elf.symbols.first(where: { $0.name == name && $0.isFunction }) else {
            throw ELFSections.Failure(description: "it has no symbol for program \(name)")
        }
        let section = try elf.contents(of: symbol.section)
        let instructions = Self.instructions(section)
        var pending = try targets(of: instructions, in: symbol.section, range: (symbol.value / 8)..<((symbol.value + symbol.size) / 8),
                                  sameSection: false)
        var reached: [Function] = []
        while let target = pending.popLast() {
            guard let function = functions.first(where: { $0.start <= target && target < $0.start + $0.count }) else {
                throw ELFSections.Failure(description: "program \(name) calls .text instruction \(target), in no function")
            }
            guard !reached.contains(function) else { continue }
            reached.append(function)
            pending += try targets(of: text, in: textIndex, range: function.start..<(function.start + function.count), sameSection: true)
        }
        return reached.sorted { $0.start < $1.start }
    }

    /// The instructions of `function`.
    public func instructions(of function: Function) -> [bpf_insn] {
        Array(text[function.start..<(function.start + function.count)])
    }

    /// `.text` indices that the instructions in `range` of section `section` call or take the address of.
    private func targets(of instructions: [bpf_insn], in section: Int, range: Range<Int>, sameSection: Bool) throws -> [Int] {
        let relocations = try elf.relocations(of: section)
        var result: [Int] = []
        for index in range where index < instructions.count {
            let insn = instructions[index]
            // A bpf-to-bpf call (src_reg 1), or a 16-byte load whose relocation names `.text`: a
            // callback's address (libbpf makes it BPF_PSEUDO_FUNC), as bpf_loop takes.
            let isCall = insn.code == 0x85 && insn.src_reg == 1
            guard isCall || insn.code == 0x18 else { continue }
            if let relocation = relocations[index * 8] {
                guard relocation.symbol.section == textIndex else { continue }
                result.append(isCall ? relocation.symbol.value / 8 + Int(insn.imm) + 1 : (relocation.symbol.value + Int(insn.imm)) / 8)
            } else if isCall {
                guard sameSection else {
                    throw ELFSections.Failure(description: "instruction \(index) calls a subprogram without a relocation")
                }
                result.append(index + Int(insn.imm) + 1)
            }
        }
        return result
    }

    private static func instructions(_ bytes: ArraySlice<UInt8>) -> [bpf_insn] {
        Array(bytes).withUnsafeBytes { Array($0.bindMemory(to: bpf_insn.self)) }
    }
}
