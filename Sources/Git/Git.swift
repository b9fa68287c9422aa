// The Git layer: the only module that imports CLibgit2. See Repository.swift.
import CLibgit2
