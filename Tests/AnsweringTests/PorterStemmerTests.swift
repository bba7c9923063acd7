import Testing
@testable import Answering

@Suite struct PorterStemmerTests {
    /// Examples from Porter's paper (1980), step by step.
    @Test(arguments: [
        ("caresses", "caress"), ("ponies", "poni"), ("cats", "cat"), ("feed", "feed"), ("agreed", "agre"),
        ("plastered", "plaster"), ("motoring", "motor"), ("sing", "sing"), ("conflated", "conflat"), ("troubled", "troubl"),
        ("sized", "size"), ("hopping", "hop"), ("falling", "fall"), ("hissing", "hiss"), ("filing", "file"), ("happy", "happi"),
        ("relational", "relat"), ("conditional", "condit"), ("rational", "ration"), ("digitizer", "digit"),
        ("hopefulness", "hope"), ("goodness", "good"), ("revival", "reviv"), ("adjustable", "adjust"), ("adoption", "adopt"),
        ("generalization", "gener"), ("controll", "control"), ("roll", "roll"),
    ])
    func stemsAsThePaperDoes(word: String, stem: String) {
        #expect(PorterStemmer.stem(word) == stem)
    }

    @Test func formsOfOneWordShareAStem() {
        #expect(PorterStemmer.stem("form") == PorterStemmer.stem("forming"))
        #expect(PorterStemmer.stem("promote") == PorterStemmer.stem("promoted"))
        #expect(PorterStemmer.stem("located") == PorterStemmer.stem("location"))
        #expect(PorterStemmer.stem("constitution") != PorterStemmer.stem("constant"))
    }

    @Test func leavesShortAndNonASCIIWordsAsTheyAre() {
        #expect(PorterStemmer.stem("is") == "is")
        #expect(PorterStemmer.stem("müntzer") == "müntzer")
        #expect(PorterStemmer.stem("b2b") == "b2b")
        #expect(PorterStemmer.stem("") == "")
    }
}
