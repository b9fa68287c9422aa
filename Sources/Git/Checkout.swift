import CLibgit2

extension Repository {
    /// Keeps a work tree in step with a branch that was just moved without it: if this is a
    /// non-bare repository whose HEAD is `branch`, updates the index and work tree from
    /// `oldTree` (nil: empty) to `newTree` and returns true; otherwise does nothing and returns
    /// false. The checkout is SAFE with `oldTree` as the baseline, so a file the user changed
    /// is never overwritten: that throws `.conflict` and leaves it alone. (The baseline must be
    /// explicit: by default libgit2 compares with HEAD, which already is the new commit.)
    @discardableResult
    public func checkoutIfBranchCheckedOut(branch: String, oldTree: ObjectID?, newTree: ObjectID) throws -> Bool {
        guard !isBare else { return false }
        let fullName = branch.hasPrefix("refs/") ? branch : "refs/heads/" + branch
        guard try headReferenceName == fullName else { return false }
        let baseline = try lookup(try oldTree ?? emptyTree(), GIT_OBJECT_TREE, "tree")
        let target = try lookup(newTree, GIT_OBJECT_TREE, "tree")
        var options = git_checkout_options()
        try check(
            git_checkout_options_init(&options, UInt32(GIT_CHECKOUT_OPTIONS_VERSION)), "git_checkout_options_init")
        options.checkout_strategy = GIT_CHECKOUT_SAFE.rawValue
        try baseline.with { baselineTree in
            options.baseline = baselineTree
            try target.with { targetTree in
                try raw { repo in
                    try check(git_checkout_tree(repo, targetTree, &options), "git_checkout_tree(\(fullName))")
                }
            }
        }
        return true
    }
}
