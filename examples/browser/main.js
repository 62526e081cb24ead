import { render } from './app.js'

render(document.getElementById('out'))
