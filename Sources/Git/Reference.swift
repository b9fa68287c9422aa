import CLibgit2

extension Repository {
    /// The object a reference (full name such as `refs/heads/main`, or `HEAD`) finally points
    /// at, following symbolic references; nil if it does not exist (including an unborn HEAD).
    public func referenceTarget(_ name: String) throws -> ObjectID? {
        try raw { repo in
            var oid = git_oid()
            let result = git_reference_name_to_id(&oid, repo, name)
            if result == GIT_ENOTFOUND.rawValue {
                git_error_clear()
                return nil
            }
            try check(result, "git_reference_name_to_id(\(name))")
            return ObjectID(oid)
        }
    }

    /// The branch HEAD points at (`refs/heads/main`), even when that branch has no commit yet;
    /// nil when HEAD is detached.
    public var headReferenceName: String? {
        get throws {
            try raw { repo in
                var reference: OpaquePointer?
                try check(git_reference_lookup(&reference, repo, "HEAD"), "git_reference_lookup(HEAD)")
                return Handle(reference!, free: git_reference_free).with { head in
                    guard git_reference_type(head) == GIT_REFERENCE_SYMBOLIC else { return nil }
                    return git_reference_symbolic_target(head).map { String(cString: $0) }
                }
            }
        }
    }

    /// Atomically moves `name` to `new` if it currently points at `old`; with `old` nil the
    /// reference must not exist yet. On a lost race this throws `.modified` (it moved) or
    /// `.exists` (it was created meanwhile), or `.locked` while another writer holds the lock,
    /// so the caller can re-read, rebuild and retry. `HEAD` means the branch HEAD points at, so
    /// HEAD itself is never detached. Inside `withPackedWrites`, a target that is not flushed
    /// yet is refused: a reference must never point at an object that is only in memory.
    public func updateReference(_ name: String, to new: ObjectID, expecting old: ObjectID?, logMessage: String)
        throws
    {
        let target = name == "HEAD" ? (try headReferenceName ?? name) : name
        if let batch, batch.holdsUnflushed(new) {
            throw GitError(
                code: .invalid, message: "\(new) is not flushed yet; call flush() before moving \(target)",
                operation: "updateReference(\(target))")
        }
        var newOID = new.oid
        var reference: OpaquePointer?
        try raw { repo in
            if let old {
                var oldOID = old.oid
                do {
                    try check(
                        git_reference_create_matching(&reference, repo, target, &newOID, 1, &oldOID, logMessage),
                        "git_reference_create_matching(\(target))")
                } catch let error as GitError where error.code == .notFound {
                    // It was deleted since the caller read it: the same lost race as a move.
                    throw GitError(
                        code: .modified, errorClass: error.errorClass, message: error.message,
                        operation: error.operation)
                }
            } else {
                try check(
                    git_reference_create(&reference, repo, target, &newOID, 0, logMessage),
                    "git_reference_create(\(target))")
            }
        }
        git_reference_free(reference)
    }

    /// True if `ancestor` is `descendant` or reachable from it: the test a caller runs before
    /// moving a reference, so references only ever move forward.
    public func isAncestor(_ ancestor: ObjectID, of descendant: ObjectID) throws -> Bool {
        if ancestor == descendant { return true }
        var descendantOID = descendant.oid
        var ancestorOID = ancestor.oid
        return try raw { repo in
            let result = git_graph_descendant_of(repo, &descendantOID, &ancestorOID)
            try check(result, "git_graph_descendant_of")
            return result == 1
        }
    }

    /// The best common ancestor of two commits, or nil if they share no history.
    public func mergeBase(_ first: ObjectID, _ second: ObjectID) throws -> ObjectID? {
        var firstOID = first.oid
        var secondOID = second.oid
        var base = git_oid()
        return try raw { repo in
            let result = git_merge_base(&base, repo, &firstOID, &secondOID)
            if result == GIT_ENOTFOUND.rawValue {
                git_error_clear()
                return nil
            }
            try check(result, "git_merge_base")
            return ObjectID(base)
        }
    }

    /// Resolves a revision (`main`, `HEAD~2`, `origin/main`, a unique hex prefix, `v1^{tree}`)
    /// to the id of the object it names.
    public func revparse(_ spec: String) throws -> ObjectID {
        try revparseObject(spec).with { ObjectID(git_object_id($0)) }
    }

    /// The tree of a commit-ish (or the tree itself if `spec` names one).
    public func revparseTree(_ spec: String) throws -> ObjectID {
        try revparseObject(spec).with { object in
            var tree: OpaquePointer?
            try check(git_object_peel(&tree, object, GIT_OBJECT_TREE), "git_object_peel(\(spec), tree)")
            return Handle(tree!, free: git_object_free).with { ObjectID(git_object_id($0)) }
        }
    }

    private func revparseObject(_ spec: String) throws -> Handle {
        var object: OpaquePointer?
        try raw { try check(git_revparse_single(&object, $0, spec), "git_revparse_single(\(spec))") }
        return Handle(object!, free: git_object_free)
    }
}
