import ArgumentParser
print("sessionsync")
