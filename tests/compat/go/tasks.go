package main

// The two task functions of the scenario; the expected values are computed by the same code.

const (
	greetTask        = "go-compat-greet"
	countLettersTask = "go-compat-count-letters"
)

func greet(name string) string {
	return "hello, " + name
}

func countLetters(text string) int64 {
	var n int64
	for _, c := range text {
		if (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') {
			n++
		}
	}
	return n
}
