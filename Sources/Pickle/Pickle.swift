// Data-only pickle decoder. See PickleDecoder.swift.
