import Foundation
import Pickle
import Testing

/// Hand-assembled malicious and malformed pickles (scripts/pickle-fixtures.py): each is either
/// kept as an opaque placeholder that was never executed or refused with a one-line reason.
@Suite(.serialized) struct HostileTests {
    /// The path the payloads would `touch` if anything executed them.
    static let marker = "/tmp/sessionsync-pickle-pwned"

    enum Outcome: Sendable {
        case opaque(String)  // class name reported in notData
        case refused(PickleError.Reason)
    }

    static let expectations: [(String, Outcome)] = [
        ("reduce_os_system", .opaque("os.system")),
        ("reduce_posix_system_p4", .opaque("posix.system")),
        ("reduce_subprocess_popen", .opaque("subprocess.Popen")),
        ("reduce_builtins_eval", .opaque("builtins.eval")),
        ("reduce_builtins_exec", .opaque("builtins.exec")),
        ("reduce_builtins_getattr", .opaque("<object builtins.getattr>")),
        ("inst_os_system", .opaque("os.system")),
        ("obj_os_system", .opaque("os.system")),
        ("build_payload_newobj", .opaque("subprocess.Popen")),
        ("build_on_global", .refused(.malformed("BUILD on global os.system (only objects take state)"))),
        ("billion_laughs", .refused(.outputTooLarge(limit: PickleLimits.default.maxOutputValues))),
        ("deep_nesting", .refused(.nestingTooDeep(limit: PickleLimits.default.maxNestingDepth))),
        ("truncated", .refused(.truncated)),
        ("truncated_length", .refused(.truncated)),
        ("no_stop", .refused(.truncated)),
        ("persid", .refused(.refusedOpcode("persistent IDs refer to objects outside the pickle"))),
        ("binpersid", .refused(.refusedOpcode("persistent IDs refer to objects outside the pickle"))),
        ("ext1", .refused(.refusedOpcode("extension codes need the sender's copyreg registry"))),
        ("ext4", .refused(.refusedOpcode("extension codes need the sender's copyreg registry"))),
        ("next_buffer", .refused(.refusedOpcode("out-of-band buffers are not supported"))),
        ("unknown_opcode", .refused(.unknownOpcode(0xFF))),
        ("bad_mark", .refused(.markMissing)),
        ("memo_missing", .refused(.memoKeyMissing(7))),
        ("stack_underflow", .refused(.stackUnderflow)),
        ("protocol_6", .refused(.unsupportedProtocol(6))),
    ]

    @Test func everyHostileFixtureHasAnExpectation() throws {
        let names = try Fixtures.names(in: "hostile", suffix: ".pkl")
        #expect(Set(names) == Set(Self.expectations.map(\.0)))
    }

    @Test func hostileFixturesAreOpaqueOrRefusedWithoutSideEffects() throws {
        try? FileManager.default.removeItem(atPath: Self.marker)
        for (name, outcome) in Self.expectations {
            let bytes = try Fixtures.bytes("hostile/\(name).pkl")
            switch outcome {
            case .opaque(let className):
                let value = try PickleDecoder().decode(bytes)
                let (data, notData) = PickleInterpreter().interpret(value)
                guard case .opaque = data else {
                    Issue.record("\(name): expected an opaque placeholder, got \(data)")
                    continue
                }
                #expect(notData.map(\.className) == [className], "\(name)")
                #expect(notData.first?.path == "$", "\(name)")
            case .refused(let reason):
                do {
                    let value = try PickleDecoder().decode(bytes)
                    Issue.record("\(name): expected refusal, decoded \(value.kindName)")
                } catch {
                    #expect(error.reason == reason, "\(name): \(error)")
                    #expect(!error.description.contains("\n"))
                    #expect(error.description.hasPrefix("pickle: "))
                }
            }
        }
        #expect(!FileManager.default.fileExists(atPath: Self.marker), "a payload was executed")
    }

    @Test func opaquePlaceholdersRecordTheWouldBeCall() throws {
        let value = try PickleDecoder().decode(Fixtures.bytes("hostile/reduce_os_system.pkl"))
        let object = try #require(value.objectValue)
        #expect(object.construction == .reduce)
        #expect(object.global?.module == "os" && object.global?.name == "system")
        #expect(object.args == [.string("touch \(Self.marker)")])

        let inst = try #require(try PickleDecoder().decode(Fixtures.bytes("hostile/inst_os_system.pkl")).objectValue)
        #expect(inst.construction == .inst)
        let obj = try #require(try PickleDecoder().decode(Fixtures.bytes("hostile/obj_os_system.pkl")).objectValue)
        #expect(obj.construction == .obj)

        let build = try #require(
            try PickleDecoder().decode(Fixtures.bytes("hostile/build_payload_newobj.pkl")).objectValue)
        #expect(build.construction == .newobj)
        #expect(build.state?["shell"] == .bool(true))
    }

    @Test func errorsNameOffsetAndOpcode() throws {
        let unknown = try #require(refusal(try Fixtures.bytes("hostile/unknown_opcode.pkl")))
        #expect(unknown.offset == 2)
        #expect(unknown.description == "pickle: unknown opcode byte 0xff at byte 2")
        let ext = try #require(refusal(try Fixtures.bytes("hostile/ext1.pkl")))
        #expect(ext.opcode == "EXT1" && ext.offset == 2)
        #expect(
            ext.description == "pickle: refused: extension codes need the sender's copyreg registry at byte 2 (EXT1)")
    }
}

/// The error a decode throws, or nil when it succeeds.
func refusal(_ bytes: [UInt8], limits: PickleLimits = .default) -> PickleError? {
    do {
        _ = try PickleDecoder(limits: limits).decode(bytes)
        return nil
    } catch {
        return error
    }
}
