export const id = 836;
export const ids = [836];
export const modules = {

/***/ 71836:
/***/ ((module) => {

module.exports = eval("require")("proxy-agent");


/***/ })

};
